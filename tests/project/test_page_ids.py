"""Every page of every role (the form walk's: each URL opened by its role, and the pages only a
situation shows) has unique ids, and each of its fields a label of its own (RGAA 8.2, 11.1): with two
forms sharing ``id_email``, a label's click and an error summary's link lead to the other form's field,
and the second field has no label at all."""

from collections import Counter
from html.parser import HTMLParser

import pytest

from tests.project.test_audit_coverage import context, personas, shared  # noqa: F401
from tests.project.test_form_walk import SOURCES, _client

UNLABELLED = {"hidden", "submit", "button", "reset", "image"}


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.labelled: set[str] = set()
        self.fields: list[str] = []
        self.in_label = 0

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "label":
            self.in_label += 1
            if attrs.get("for"):
                self.labelled.add(attrs["for"])
        if tag in ("input", "select", "textarea") and (attrs.get("type") or "text").lower() not in UNLABELLED:
            named = self.in_label or attrs.get("aria-label") or attrs.get("aria-labelledby") or attrs.get("title")
            self.fields.append("" if named else attrs.get("id") or f"{tag} {attrs.get('name')} sans id")

    def handle_endtag(self, tag) -> None:
        if tag == "label":
            self.in_label -= 1


def problems(page: str) -> list[str]:
    parser = _Ids()
    parser.feed(page)
    found = [f"id {name} ×{count}" for name, count in Counter(parser.ids).items() if count > 1]
    found += [f"champ sans libellé : {field}" for field in parser.fields if field and field not in parser.labelled]
    return found


def test_the_parser_finds_a_shared_id_and_an_unlabelled_field():
    assert problems('<label for="id_email">A</label><input id="id_email"><input id="id_email">') == [
        "id id_email ×2"]
    assert problems('<select name="role" id="id_role"></select>') == ["champ sans libellé : id_role"]
    assert problems('<label>Rôle <select name="role"></select></label><input type="hidden" name="x">') == []


@pytest.mark.markup
@pytest.mark.parametrize("source", SOURCES)
def test_no_page_has_a_shared_id_or_an_unlabelled_field(personas, context, source):  # noqa: F811
    role, opened, *_ = SOURCES[source](personas, context)
    if not isinstance(opened, str):  # a page a POST answered: read as it came
        page = opened
    else:
        page = _client(personas, role).get(opened, follow=True)
    if not page["Content-Type"].startswith("text/html"):
        return  # a download
    found = problems(page.content.decode())
    assert not found, "\n".join(found)
