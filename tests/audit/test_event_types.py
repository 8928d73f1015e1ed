"""Every event type recorded anywhere has a French label: inspectors never read a raw code."""

import json
import pathlib
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.urls import reverse
from django.utils import timezone

import audit
from audit import events
from audit.models import Event

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = ["audit", "organisation", "workflows", "cases", "mobile_team", "cellule", "inspection", "reporting", "project"]
# A literal event type given to the recorder or to one of the helpers that call it.
LITERAL = re.compile(r"\b(?:record|_record|_read)\(\s*\"([a-z_]+\.[a-z_]+)\"")
TRANSITION = re.compile(r"\brecord_transition\(\s*\"([a-z_]+)\"")
# Types built from a value: every value they can take.
BUILT = {
    "export.composition_{fmt}": ["export.composition_csv", "export.composition_xlsx"],
    "export.report_{fmt}": ["export.report_csv", "export.report_xlsx"],
    "export.national_{fmt}": ["export.national_csv", "export.national_xlsx"],
    "export.monthly_report_{format}": ["export.monthly_report_csv", "export.monthly_report_xlsx"],
    "export.audit_{kind}": ["export.audit_csv", "export.audit_bundle"],
    "{instance._meta.model_name}.{'create' if creating else 'update'}": [
        f"{model}.{verb}" for model in ("user", "cell", "institution", "mandate") for verb in ("create", "update")],
    "case.{name}": [],  # record_transition, read below
}


def recorded_types() -> set[str]:
    found, built = set(), set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text()
            found |= set(LITERAL.findall(text))
            found |= {f"case.{name}" for name in TRANSITION.findall(text)}
            built |= set(re.findall(r"\b(?:record|_read)\(\s*f\"([^\"]+)\"", text))
    unknown = built - BUILT.keys()
    assert not unknown, f"Type d'événement construit sans liste de ses valeurs : {unknown}"
    return found | {value for values in BUILT.values() for value in values}


def test_every_event_type_recorded_in_the_code_has_a_french_label():
    recorded = recorded_types()
    assert len(recorded) > 60  # the scan reads the code: it found the product's event types
    assert recorded - events.registered() == set()
    for action in recorded:
        assert events.label(action) != action and events.label(action)[0].isupper(), action


def test_the_recorder_refuses_a_type_nobody_registered(db):
    with pytest.raises(ImproperlyConfigured):
        audit.record("case.unheard_of")
    assert not Event.objects.exists()


def test_a_type_cannot_be_registered_twice():
    with pytest.raises(ImproperlyConfigured):
        events.register({"case.assign": "Autre libellé"})
    assert events.label("case.assign") == "Référent désigné"


def test_details_are_rendered_in_french():
    assert events.describe("case.assign", {"de": "received", "vers": "assigned", "motif": "no_details",
                                           "référent": {"avant": None, "après": "Ana Roy (ana)"}}) == (
        "Référent désigné : Reçu → Attribué (Pas de coordonnées de la famille) — Référent : (vide) → Ana Roy (ana)")
    assert events.describe("case.person_edit", {"changements": {"commune": {"avant": "Bobigny", "après": "Pantin"}}}) \
        == "Fiche du jeune modifiée — Commune de résidence : Bobigny → Pantin"
    assert events.describe("mobile_request.decline", {"demande": 4, "motif": "Équipe complète."}) == (
        "Demande déclinée par l'équipe mobile — demande n° : 4 ; motif : Équipe complète.")


@pytest.mark.parametrize("details", ['"un message"', "[1, 2]", '{"de": 5, "tâches": 7}', '{"référent": "x"}'])
def test_a_row_written_by_hand_never_breaks_the_inspectors_pages(client, personas, intruder, details):
    """Whoever may append to the trail may write any JSON into an event of any registered type: the
    search page still answers, and says the details cannot be read."""
    with intruder, connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_event (time, actor_label, actor_role, actor_cell, request_id, action, "
                       "object_type, object_id, departement, details) VALUES (%s, 'intrus', '', '', '', "
                       "'case.assign', 'cases.case', '1', '93', %s)",
                       [connection.ops.adapt_datetimefield_value(timezone.now()), details])
    client.force_login(personas.inspector)
    response = client.get(reverse("inspection:search"), {"action": "case.assign"})
    assert response.status_code == 200
    assert "Référent désigné — détails illisibles" in response.content.decode()


def test_a_reference_written_by_hand_links_nowhere_and_breaks_nothing(client, personas, intruder):
    with intruder, connection.cursor() as cursor:
        for reference in ("93/2026", '{"a": 1}'):
            cursor.execute("INSERT INTO audit_event (time, actor_label, actor_role, actor_cell, request_id, action, "
                           "object_type, object_id, departement, details) VALUES (%s, 'intrus', '', '', '', "
                           "'case.view', 'cases.case', '1', '93', %s)",
                           [connection.ops.adapt_datetimefield_value(timezone.now()),
                            json.dumps({"signalement": json.loads(reference) if reference[0] == "{" else reference})])
    client.force_login(personas.inspector)
    response = client.get(reverse("inspection:search"), {"action": "case.view"})
    assert response.status_code == 200 and "93/2026" in response.content.decode()
