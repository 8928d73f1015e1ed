"""The lists' tags (``ui.templatetags.lists``): a filter's options and a row's address, as the template's own
loop and ``{% url %}`` write them."""

import pytest
from django.template import Context, Template

LOOP = ('{% for value, label in choices %}<option value="{{ value }}"{% if chosen == value %} selected{% endif %}>'
        '{{ label }}</option>{% endfor %}')
CHOICES = [("received", "Reçu"), ("in_care", "Prise en charge"), ("odd", "<b>Tom & « Jerry »</b>")]


def render(text: str, **context) -> str:
    return Template("{% load lists %}" + text).render(Context(context))


@pytest.mark.parametrize("chosen", ["in_care", "odd", "", None, "unknown", "<b>"])
def test_a_filter_s_options_are_the_loop_s(chosen):
    assert render("{% options choices chosen %}", choices=CHOICES, chosen=chosen) == render(
        LOOP, choices=CHOICES, chosen=chosen)
    assert render("{% options choices chosen %}", choices=CHOICES, chosen=chosen).count(" selected") == (
        chosen in dict(CHOICES))


def test_a_row_s_address_is_the_url_tag_s():
    assert render("{% url_by_id 'cases:detail' pk %}", pk=12) == render("{% url 'cases:detail' pk %}", pk=12)
