"""The actor's role, as the inspectors' pages name it; the link to a case's timeline from an event."""

from django import template
from django.urls import NoReverseMatch, reverse

from organisation.models import Role

register = template.Library()


@register.filter
def role_label(value: str) -> str:
    return Role(value).label if value in Role.values else value


@register.filter
def timeline_url(reference) -> str:
    """The case timeline's address for the reference an event names, or "" when it names none a link
    can carry: a row written around the recorder may hold anything there."""
    if not isinstance(reference, str) or not reference:
        return ""
    try:
        return reverse("inspection:case_timeline", args=[reference])
    except NoReverseMatch:
        return ""
