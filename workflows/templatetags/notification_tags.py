"""The header's link to a person's notifications, with how many are unread (one query, by its index, its
statement compiled once per person: ``ui.statements``)."""

from django import template

from ui import statements
from workflows.models import Notification

register = template.Library()


@register.inclusion_tag("workflows/_notification_link.html", takes_context=True)
def notification_link(context) -> dict:
    user = context["user"]
    if not user.is_authenticated:
        return {"unread": 0}
    return {"unread": statements.count(("unread notifications", user.pk),
                                       lambda: Notification.objects.of(user).unread())}
