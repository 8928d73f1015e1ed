"""Faults: the database connection killed in the middle of a transition leaves nothing partial (the
state, the tasks, the history and the trail all or nothing), the user gets the French error page,
the next request works; the young person's name appears in no log nor error page."""

import logging

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from audit.models import Event, Seal
from cases.actions import lifecycle
from cases.models import Case, State
from tests.cases.factories import CaseFactory, person_data
from tests.conftest import build_personas

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]
CANARY = "Canari-Zq7x"


def kill_this_connection() -> None:
    """What an operator's pg_terminate_backend, a failover or a network cut does to the request."""
    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"], port=settings["PORT"] or 5432, dbname=settings["NAME"],
                         user=settings["USER"], autocommit=True) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", [pid])


def written(case: Case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return (case.state, case.referent_id, sorted(case.tasks.values_list("flow_task_name", "status")),
            case.history.count(), Event.objects.exclude(action="case.view").count(), Seal.objects.count())


def test_a_connection_killed_in_the_middle_of_a_transition_leaves_nothing_partial(monkeypatch, caplog):
    personas = build_personas()
    case = CaseFactory(coordinator=personas.coord_a, person=person_data(last_name=CANARY))
    real_sync = lifecycle.tasks.sync

    def sync_then_cut(*args, **kwargs):
        real_sync(*args, **kwargs)  # the state and the tasks are written: the connection dies before the end
        kill_this_connection()

    monkeypatch.setattr(lifecycle.tasks, "sync", sync_then_cut)
    client = Client(raise_request_exception=False)
    client.force_login(personas.coord_a)
    before = written(case)
    url = reverse("cases:action", args=[case.pk, "attribuer"])
    data = {"referent": personas.member_a.memberships.get().pk, "no_contact_reason": "unreachable"}
    with caplog.at_level(logging.INFO):
        response = client.post(url, data)
    assert response.status_code == 500
    page = response.content.decode()
    assert "Une erreur est survenue" in page and CANARY not in page
    assert "dsfr.min.css" in page and 'class="fr-header"' in page  # the État's look, without the database
    assert CANARY not in caplog.text and "Internal Server Error" in caplog.text  # the fault is logged, not the name
    assert written(case) == before  # nothing of the transition: state, tasks, history, trail
    monkeypatch.setattr(lifecycle.tasks, "sync", real_sync)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200  # the next request works
    assert client.post(url, data).status_code == 302
    assert Case.objects.get(pk=case.pk).state == State.ASSIGNED


def test_a_connection_killed_while_sealing_after_the_commit_loses_nothing(monkeypatch, caplog):
    """The transition has committed; the seal that follows it dies: the change stands, the user is
    not told of a failure that is not theirs, and the next seal takes the event."""
    from audit import sealer

    personas = build_personas()
    case = CaseFactory(coordinator=personas.coord_a)
    real_seal = sealer.seal

    def cut_then_seal(*args, **kwargs):
        kill_this_connection()
        return real_seal(*args, **kwargs)

    monkeypatch.setattr(sealer, "seal", cut_then_seal)
    monkeypatch.setattr(sealer, "_next_attempt", 0.0)
    client = Client(raise_request_exception=False)
    client.force_login(personas.coord_a)
    response = client.post(reverse("cases:action", args=[case.pk, "attribuer"]),
                           {"referent": personas.member_a.memberships.get().pk, "no_contact_reason": "unreachable"})
    assert response.status_code == 302 and Case.objects.get(pk=case.pk).state == State.ASSIGNED
    assert sealer.unsealed().count >= 1
    monkeypatch.setattr(sealer, "seal", real_seal)
    real_seal()
    assert sealer.unsealed().count == 0
    assert Event.objects.filter(action="case.assign", seal__isnull=False).count() == 1
