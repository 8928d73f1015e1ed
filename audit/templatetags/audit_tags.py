"""An event of the trail in words, as its type's registration renders it (``audit.events``)."""

from django import template

from audit import events
from audit.models import Event

register = template.Library()


@register.filter
def event_description(event: Event) -> str:
    return events.describe(event.action, event.details)


@register.filter
def event_label(event: Event) -> str:
    return events.label(event.action)
