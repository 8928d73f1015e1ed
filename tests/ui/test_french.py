"""French as the product writes it (``ui.french`` and its built-in template library): figures with a narrow
no-break space between thousands, plurals from 2 on and « aucune » for none, « 1er » for the first of a
month, « oui »/« non »; the selects' first line; the login form's words. And two guards over the code
itself: no « né(e) » or « tâche(s) » in a template or a Python text, no template writing « 1 janvier »."""

import datetime
import io
import re
import tokenize
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.template import Context, Engine, Template

from cases.models import CareMeasure
from organisation.models import Membership
from ui.forms import BaseForm, LoginForm, model_fields
from ui.french import count, long_date, number, plural, yes_no

ROOT = Path(__file__).resolve().parents[2]
APPS = ["audit", "cases", "cellule", "demo", "inspection", "intake", "mobile_team", "organisation", "outbox",
        "project", "reporting", "retention", "ui", "workflows"]
NNBSP = "\u202f"


def render(text: str, **context) -> str:
    return Template(text).render(Context(context))


@pytest.mark.parametrize("value, written", [
    (100000, f"100{NNBSP}000"), (1234567, f"1{NNBSP}234{NNBSP}567"), (999, "999"), (-2500, f"-2{NNBSP}500"),
    (2.5, "2,5"), (Decimal("12345.25"), f"12{NNBSP}345,25"), ("< 3", "< 3"), (None, ""), (True, "True"),
])
def test_a_figure_has_its_thousands_apart_by_a_narrow_no_break_space(value, written):
    assert number(value) == written


def test_a_count_is_singular_up_to_one_and_may_read_aucune():
    assert [plural(n, "tâche") for n in (0, 1, 1.5, 2)] == ["tâche", "tâche", "tâche", "tâches"]
    assert count(0, "tâche", none="aucune tâche") == "aucune tâche"
    assert count(0, "tâche") == "0 tâche" and count(1, "tâche") == "1 tâche"
    assert count(12000, "événement vérifié", "événements vérifiés") == f"12{NNBSP}000 événements vérifiés"


def test_the_first_of_a_month_is_an_ordinal():
    assert long_date(datetime.date(2026, 1, 1)) == "1er janvier 2026"
    assert long_date(datetime.date(2026, 3, 2)) == "2 mars 2026" and long_date(None) == ""


def test_yes_no_reads_oui_non():
    assert (yes_no(True), yes_no(False), yes_no(None), yes_no(3)) == ("oui", "non", "", "3")


def test_every_template_writes_french_without_loading_anything():
    """A built-in library: ``pluralize`` is French's (Django's reads « 0 tâches »), ``number``, ``long_date``."""
    page = render("{{ n }} tâche{{ n|pluralize }}, {{ big|number }}, le {{ day|long_date }}, {{ flag|yes_no }}",
                  n=0, big=100000, day=datetime.date(2027, 1, 1), flag=True)
    assert page == f"0 tâche, 100{NNBSP}000, le 1er janvier 2027, oui"
    assert render("{{ n }} cheva{{ n|pluralize:'l,ux' }} / {{ items|length }} ligne{{ items|pluralize }}",
                  n=2, items=[1]) == "2 chevaux / 1 ligne"


@pytest.mark.parametrize("value", [
    datetime.date(2026, 3, 4), datetime.date(5, 1, 2), datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC),
    datetime.datetime(2026, 6, 30, 22, 15, tzinfo=datetime.UTC),
    datetime.datetime(2026, 1, 2, 3, 4, tzinfo=zoneinfo.ZoneInfo("America/Cayenne")),
    datetime.datetime(2026, 1, 2, 3, 4), None, "", "2026-03-04", 12,
])
@pytest.mark.parametrize("written", ['"d/m/Y"', '"d/m/Y à H:i"', '"j F Y"', None])
def test_a_date_is_written_as_django_writes_it(value, written):
    """The lists' « d/m/Y » is written without Django's formatter: the same text, a time given in local time
    (the last day of the year in UTC is the first of the next in Paris)."""
    text = f"{{{{ value|date:{written} }}}}" if written else "{{ value|date }}"
    try:
        expected = Engine().from_string(text).render(Context({"value": value}))  # Django's built-ins alone
    except TypeError:  # a time asked of a day
        with pytest.raises(TypeError):
            render(text, value=value)
    else:
        assert render(text, value=value) == expected


class ChoiceForm(BaseForm):
    member = forms.ModelChoiceField(queryset=Membership.objects.none())


def test_a_select_starts_on_choisir_never_on_djangos_dashes(db):
    """Declared on a form, or made from a model's field by ``model_fields`` (added after the form is)."""
    form = ChoiceForm()
    form.fields.update(model_fields(CareMeasure, ["modality", "institution"]))
    html = str(form)
    assert "---------" not in html and html.count("— choisir —") == 3


def test_a_refused_login_speaks_of_the_identifiant_the_page_asks_for(rf, db):
    form = LoginForm(rf.post("/"), data={"username": "personne", "password": "faux"})
    assert not form.is_valid()
    assert form.non_field_errors() == [
        "Identifiant ou mot de passe incorrect. Vérifiez-les, majuscules et minuscules comprises."]


def _product_files(pattern: str) -> list[Path]:
    return sorted(path for app in APPS for path in (ROOT / app).rglob(pattern)
                  if "migrations" not in path.parts and "static" not in path.parts)


# « né(e) », « invité(e) », « événement(s) », « référent(e) », « tous(tes) »: a word with its ending in brackets.
BRACKETED_ENDING = re.compile(r"[a-zà-ÿ]\((e|s|es|x|le|ne|te|tes|trice|euse)\)", re.IGNORECASE)


def _texts(path: Path) -> list[str]:
    """The strings written in a Python module (its texts, not its code: ``len(s)`` is no « (s) »)."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return [token.string for token in tokens if token.type == tokenize.STRING]


def test_no_text_of_the_product_writes_an_ending_in_brackets():
    """Gendered endings and plurals are written out (« né » or « née » by the person's sex, a neutral turn
    where it is unknown; « 1 tâche », « 2 tâches »), in the templates and in the texts built in Python."""
    found = [f"{path.relative_to(ROOT)}: {match[0]}" for path in _product_files("*.html")
             for match in BRACKETED_ENDING.finditer(path.read_text(encoding="utf-8"))]
    found += [f"{path.relative_to(ROOT)}: {match[0]}" for path in _product_files("*.py")
              for text in _texts(path) for match in BRACKETED_ENDING.finditer(text)]
    assert found == []


def test_no_template_writes_a_long_date_without_its_1er():
    """``|date:"j F Y"`` reads « 1 janvier »: ``|long_date`` reads « 1er janvier »."""
    found = [f"{path.relative_to(ROOT)}: {match[0]}" for path in _product_files("*.html")
             for match in re.finditer(r'\|date:"[jd] [FEN]', path.read_text(encoding="utf-8"))]
    assert found == []
