"""The header's link to a person's notifications, with how many are unread (one query, by its index)."""

from django import template

from workflows.models import Notification

register = template.Library()


@register.inclusion_tag("workflows/_notification_link.html", takes_context=True)
def notification_link(context) -> dict:
    user = context["user"]
    return {"unread": Notification.objects.of(user).unread().count() if user.is_authenticated else 0}
