"""/health/: open to the proxy and the monitoring without a login, never a personal
value, and 503 when the product cannot serve."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError
from django.utils import timezone

import audit
from audit.models import Event
from project import health
from tests.audit.trail import copy_event
from tests.cases.factories import CaseFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

pytestmark = pytest.mark.django_db


def test_the_health_page_answers_without_a_login_and_shows_no_personal_data(client, personas):
    case = CaseFactory(coordinator=personas.coord_a)
    response = client.get("/health/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    state = response.json()
    assert (state["etat"], state["base_de_donnees"], state["migrations_appliquees"]) == ("ok", True, True)
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    body = response.content.decode()
    for value in (case.person.last_name, case.reference, personas.coord_a.username, personas.coord_a.email):
        assert value not in body


def test_it_only_answers_get(client):
    assert client.post("/health/").status_code == 405


def test_a_trail_left_unsealed_too_long_is_unhealthy(client, settings):
    settings.HEALTH_UNSEALED_SECONDS = 300
    audit.record("auth.logout", details={})  # inside the test's transaction: never sealed
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10)):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["etat"] == "degrade" and response.json()["journal_non_scelle"]["evenements"] >= 1


def test_pending_migrations_are_unhealthy(client, monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(health.MigrationExecutor, "migration_plan", lambda self, targets: [("une", "migration")])
    assert client.get("/health/").status_code == 503


def test_an_unreachable_database_is_unhealthy(client, monkeypatch):
    def down(*args, **kwargs):
        raise DatabaseError("connexion refusée")

    monkeypatch.setattr(health.connection, "cursor", down)
    response = client.get("/health/")
    assert response.status_code == 503 and response.json() == {"etat": "indisponible", "base_de_donnees": False}


def test_the_ages_of_the_last_check_and_checkpoint_are_those_the_application_proves(client, personas, intruder,
                                                                                    tmp_path):
    """A copy of an earlier check, or a check made up, dated now, does not make an old check look fresh."""
    with time_machine.travel(timezone.now() - datetime.timedelta(days=3)):
        call_command("verify_audit", stdout=StringIO())
        call_command("audit_checkpoint", "--output", str(tmp_path / "points.jsonl"), stdout=StringIO())
    with intruder:
        for check in Event.objects.filter(action__in=["audit.verify", "audit.checkpoint"]):
            copy_event(check, timezone.now())
    state = client.get("/health/").json()
    three_days = 3 * 24 * 3600
    assert state["derniere_verification_age_s"] >= three_days
    assert state["dernier_point_de_controle_age_s"] >= three_days
