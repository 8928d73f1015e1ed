"""The audit pages in French: every event the demo records has a French label and
details in words, the pages show no code, the action filter lists labels, the CSV export is read
in French, in Paris time, with its details as JSON."""

import csv
import io
import re
import zoneinfo
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test.utils import override_settings
from django.urls import reverse

from audit import events
from audit.models import Event
from cases.models import Case
from organisation import policy
from organisation.models import Role
from tests.conftest import built_once
from ui.forms import RememberedField


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo's data and trail, built once for the module."""
    with built_once(django_db_blocker), override_settings(DEMO=True):
        call_command("seed_demo", stdout=StringIO())
        yield


@pytest.fixture
def inspector(demo, db, client):
    user = User.objects.get(username="inspecteur")
    policy.forget(user)
    client.force_login(user)
    return user


def choice_codes() -> set[str]:
    """The stored values of the fields with choices that are no French word of any label (``national``
    is both): words a reader must never see."""
    choices = [(value, str(label)) for model in apps.get_models() for field in model._meta.concrete_fields
               for value, label in field.flatchoices if isinstance(value, str) and len(value) > 2]
    french = {word.lower() for _, label in choices for word in re.findall(r"\w+", label)}
    return {value for value, label in choices if value != label and value.lower() not in french}


def test_every_event_type_the_demo_records_has_a_french_label(demo, db):
    recorded = set(Event.objects.values_list("action", flat=True))
    assert len(recorded) > 20  # the demo's history: intake to closure, meetings, reports, reads
    for action in recorded:
        assert events.is_registered(action), action
        assert events.label(action) != action and events.label(action)[0].isupper(), action


def test_the_details_of_every_event_of_the_demo_read_in_words(demo, db):
    codes = choice_codes() - set(User.objects.values_list("username", flat=True))  # "admin" is an account too
    raw = {(event.action, word) for event in Event.objects.all()
           for word in set(re.findall(r"\w+", events.describe(event.action, event.details))) & codes}
    assert raw == set()
    assert not [event.action for event in Event.objects.all() if "∅" in events.describe(event.action, event.details)]


def events_table(page: str) -> str:
    return page.split('id="events"')[1].split("</table>")[0]


def test_the_pages_show_labels_never_codes(client, inspector):
    recorded = set(Event.objects.filter(departement="93").values_list("action", flat=True))
    for action in sorted(recorded):
        table = events_table(client.get(reverse("inspection:search"), {"action": action}).content.decode())
        assert events.label(action).replace("'", "&#x27;") in table and action not in table, action
    case = Case.objects.filter(departement__code="93").order_by("pk").first()
    timeline = events_table(client.get(reverse("inspection:case_timeline", args=[case.reference])).content.decode())
    assert "Signalement enregistré" in timeline and not any(action in timeline for action in events.registered())
    activity = events_table(client.get(reverse("inspection:user_activity", args=["coord93"])).content.decode())
    assert not any(action in activity for action in events.registered())


def test_the_action_filter_is_a_list_of_labels(client, inspector):
    page = client.get(reverse("inspection:search")).content.decode()
    field = page.split('name="action"')[1].split("</select>")[0]
    assert '<option value="case.view">Consultation du signalement</option>' in field
    assert "selected" not in field.split("</option>", 1)[1]  # "Tous" until one is chosen
    refused = client.get(reverse("inspection:search"), {"action": "case."})
    assert "Sélectionnez un choix valide" in refused.content.decode()


def test_the_search_form_is_rendered_once_for_each_state(client, inspector):
    """Its fields are the same for every inspector: each rendered once per process for each state it is
    shown in (``ui.forms.RememberedField``), the option chosen marked, and it alone."""
    def action_field(response) -> str:
        return response.content.decode().split('name="action"')[1].split("</select>")[0]

    def fields_rendered(response) -> int:
        return sum(template.name.startswith(("dsfr/form_field_snippets/", "django/forms/widgets/"))
                   for template in response.templates)

    RememberedField.rendered.entries.clear()  # as in a new worker
    first = client.get(reverse("inspection:search"), {"action": "case.view"})
    again = client.get(reverse("inspection:search"), {"action": "case.view"})
    assert fields_rendered(first) > 126 and fields_rendered(again) == 0  # every option had a template
    assert action_field(again) == action_field(first)
    assert '<option value="case.view" selected>' in action_field(again)
    assert action_field(again).count("selected") == 1
    other = action_field(client.get(reverse("inspection:search"), {"action": "case.intake"}))
    assert '<option value="case.intake" selected>' in other and other.count("selected") == 1
    wrong = client.get(reverse("inspection:search"), {"start": "2026-03-02", "end": "2026-03-01"}).content.decode()
    assert "La fin de la période précède son début." in wrong
    right = client.get(reverse("inspection:search"), {"start": "2026-03-02", "end": "2026-03-03"}).content.decode()
    assert "La fin de la période" not in right and 'value="2026-03-03"' in right


def test_the_csv_export_reads_in_french_in_paris_time(client, inspector):
    response = client.get(reverse("inspection:export_csv"), {"departement": "93", "action": "case.assign"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode().lstrip("\ufeff")), delimiter=";"))
    expected = list(Event.objects.filter(departement="93", action="case.assign").order_by("id"))
    assert len(rows) == len(expected) > 0
    assert Role.COORDINATOR.label in {row["Rôle"] for row in rows}
    assert {row["Rôle"] for row in rows} <= {*Role.labels, ""}
    for row, event in zip(rows, expected, strict=True):
        assert row["Événement"] == events.describe("case.assign", event.details)
        assert row["Détails"] == events.readable(event.details) and "{" not in row["Détails"]
        local = event.time.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
        assert row["Date et heure (heure de Paris)"] == local.isoformat(sep=" ", timespec="seconds")
