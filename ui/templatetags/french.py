"""French in every template, without a ``{% load %}`` (a built-in library: ``TEMPLATES`` in the settings):
``|number`` (« 100 000 »), ``|long_date`` (« 1er janvier 2026 »), ``|yes_no`` (« oui », « non »), and
``|pluralize`` with French's rule.

``pluralize`` takes the place of Django's, which reads « 0 tâches »: French is singular up to 1
(« 0 tâche », « 1 tâche », « 2 tâches »). Its arguments are Django's (``"s"``, ``"al,aux"``).

``date`` takes the place of Django's for the day as the lists write it, ``|date:"d/m/Y"`` (« 04/03/2026 »):
the same text, without Django's formatter (13 µs a date, which each row of a list pays once or twice)."""

import datetime

from django import template
from django.template import defaultfilters

from ui import french

register = template.Library()

register.filter("number", french.number)
register.filter("long_date", french.long_date)
register.filter("yes_no", french.yes_no)


@register.filter(is_safe=False)
def pluralize(value, arg: str = "s") -> str:
    """Django's ``pluralize``, singular up to 1 (a number, or the length of a list)."""
    try:
        amount = float(value)
    except (TypeError, ValueError):
        try:
            amount = len(value)
        except TypeError:
            return ""
    return defaultfilters.pluralize(2 if french.is_plural(amount) else 1, arg)


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg: str | None = None) -> str:
    """Django's ``date`` (a date and time given in local time, as Django's), « d/m/Y » written directly."""
    if arg == "d/m/Y" and isinstance(value, datetime.date):
        return f"{value.day:02}/{value.month:02}/{value.year:04}"
    return defaultfilters.date(value, arg)
