"""The actor's role, as the inspectors' pages name it."""

from django import template

from organisation.models import Role

register = template.Library()


@register.filter
def role_label(value: str) -> str:
    return Role(value).label if value in Role.values else value
