"""The amounts of the FIPD's pages, in French typography (``funding.amounts``)."""

from django import template

from funding import amounts

register = template.Library()


@register.filter
def euros(amount: int | None) -> str:
    return amounts.euros(amount)
