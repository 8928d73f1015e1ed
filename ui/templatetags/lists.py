"""What the lists' rows and filters write many times a page, without what makes it slow in a template.

``{% url_by_id "<app>:<name>" object.pk %}``: ``{% url %}`` for an address whose one argument is an object's
id, without matching the URL patterns anew for each row (``ui.links``).

``{% options states query.state %}``: the ``<option>`` elements of a filter's select, ``(value, label)``
pairs, the one whose value is the chosen one selected; written once per worker for each choice made (the
choices are the code's: states, sources, kinds of task), where the template's loop cost a few
microseconds an option at every page."""

import functools

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from ui.links import by_id

register = template.Library()
register.simple_tag(by_id, name="url_by_id")


@register.simple_tag
def options(choices, chosen) -> SafeString:
    pairs = tuple((str(value), str(label)) for value, label in choices)
    return _options(pairs, next((value for value, _ in pairs if value == chosen), None))


@functools.lru_cache(maxsize=256)
def _options(pairs: tuple[tuple[str, str], ...], chosen: str | None) -> SafeString:
    return format_html_join("", '<option value="{}"{}>{}</option>', (
        (value, " selected" if value == chosen else "", label) for value, label in pairs))
