"""French in every template, without a ``{% load %}`` (a built-in library: ``TEMPLATES`` in the settings):
``|number`` (« 100 000 »), ``|long_date`` (« 1er janvier 2026 »), ``|yes_no`` (« oui », « non »), and
``|pluralize`` with French's rule.

``pluralize`` takes the place of Django's, which reads « 0 tâches »: French is singular up to 1
(« 0 tâche », « 1 tâche », « 2 tâches »). Its arguments are Django's (``"s"``, ``"al,aux"``)."""

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
