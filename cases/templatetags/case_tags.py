"""How the case pages write dates and states: French long dates ("1er janvier 2026") and the
colour of each state's badge, the same on the case list and the case page."""

import datetime

from django import template
from django.utils.dateformat import format as date_format

from cases.models import Sex, State

register = template.Library()

# DSFR badges by meaning: new, waiting for the cellule, care under way, the mobile team called, closed.
STATE_BADGES: dict[str, str] = {
    State.RECEIVED: "fr-badge--new",
    State.FAMILY_CONTACTED: "fr-badge--info",
    State.ASSIGNED: "fr-badge--info",
    State.IN_CARE: "fr-badge--purple-glycine",
    State.MOBILE_TEAM_REQUESTED: "fr-badge--warning",
    State.CLOSED: "fr-badge--success",
}


@register.filter
def long_date(value: datetime.date | None) -> str:
    """``1er janvier 2026``, ``2 janvier 2026``: French writes the first of a month as an ordinal."""
    if not value:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {date_format(value, 'F Y')}"


@register.filter
def state_badge(state: str) -> str:
    return STATE_BADGES.get(state, "fr-badge--info")


@register.filter
def born(sex: str) -> str:
    """``née`` or ``né`` by the young person's sex."""
    return "née" if sex == Sex.FEMALE else "né"
