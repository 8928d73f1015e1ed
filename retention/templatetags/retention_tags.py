"""The retention periods, for the personal-data notice (``project/templates/legal/personal_data.html``)."""

from django import template

from retention.periods import Periods

register = template.Library()


@register.simple_tag
def retention_periods() -> list[tuple[str, str]]:
    return Periods.current().describe()
