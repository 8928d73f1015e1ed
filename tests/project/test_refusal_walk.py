"""Every form of the product, posted whole by the role that may post it, while its entry point
refuses: the refusal reaches the person on the page, in French, never as a 5xx.

The entry points refuse in two ways (``cases.actions``' docstring): a ``ValidationError`` (the data do
not hold: a meeting more than a year ahead) and a ``Refusal`` (not now: the request's state). Each is
raised here where every entry point passes, the record of its change (``audit.record`` with an event
of ``ENTRY_POINTS``' table), so that any form's entry point refuses as its own rules could. The
forms and their valid submissions are the form walk's (``tests/project/test_form_walk.py``).
"""

from html import unescape
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from audit import recorder
from tests.project.test_audit_coverage import ENTRY_POINTS, context, personas, shared  # noqa: F401
from tests.project.test_form_walk import SOURCES, base, forms_of
from ui.errors import Refusal

WRITES = {event for _, event in ENTRY_POINTS.values()}
MESSAGE = "Refus de l'entrée : la date ne concorde pas."
REFUSALS = {"validation": lambda: ValidationError(MESSAGE), "refus": lambda: Refusal(MESSAGE)}


class Refusing:
    """``audit.record`` that raises ``error()`` for the change of an entry point, and counts it."""

    def __init__(self, error) -> None:
        self.error, self.raised, self.record = error, 0, recorder.record

    def __call__(self, action: str, **kwargs) -> None:
        if action in WRITES:
            self.raised += 1
            raise self.error()
        self.record(action, **kwargs)


def said(client, response) -> str:
    """The page the person ends on, after a redirection (where the message waits)."""
    while response.status_code in (301, 302, 303):
        response = client.get(response["Location"])
    return unescape(response.content.decode()) if response["Content-Type"].startswith("text/html") else ""


def typed(form: dict, data: dict) -> list[str]:
    """What the person wrote in the form's text areas: a refusal keeps it on the page."""
    return [value for field in form["fields"] if field["type"] == "textarea"
            for value in data.get(field["name"], []) if value]


@pytest.mark.parametrize("kind", REFUSALS)
@pytest.mark.parametrize("source", SOURCES)
def test_an_entry_points_refusal_reaches_the_page_never_a_5xx(personas, context, source, kind):  # noqa: F811
    client, forms = forms_of(personas, context, source)
    failures = []
    for form in forms:
        for button in form["buttons"] or [None]:
            data = base(form, form["valid"], form["complete"]) | ({button[0]: [button[1]]} if button else {})
            refusing = Refusing(REFUSALS[kind])
            with mock.patch.object(recorder, "record", refusing):
                response = client.post(form["path"], data)
                page = said(client, response) if response.status_code < 500 else ""
            if response.status_code >= 500:
                failures.append((form["path"], button, response.status_code))
            elif refusing.raised and MESSAGE not in page:
                failures.append((form["path"], button, "refus perdu"))
            elif refusing.raised and any(text not in page for text in typed(form, data)):
                failures.append((form["path"], button, "texte perdu"))
    assert not failures, "\n".join(map(str, failures))
