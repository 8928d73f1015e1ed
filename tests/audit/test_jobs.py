"""Scheduled jobs: one machine at a time, each run recorded."""

from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from audit import jobs
from audit.models import Event

pytestmark = pytest.mark.django_db


def digest() -> str:
    out = StringIO()
    call_command("send_overdue_digest", stdout=out)
    return out.getvalue()


def test_each_run_of_a_job_is_recorded_with_its_result():
    assert "mis en file" in digest()
    event = Event.objects.get(action="job.run")
    assert (event.actor_id, event.actor_label) == (None, "tâche planifiée send_overdue_digest")
    assert event.details["tâche"] == "send_overdue_digest"
    assert "mis en file" in event.details["résultat"]


def test_a_failed_run_is_not_recorded_as_run_and_frees_the_job(monkeypatch):
    def fail(self):
        raise RuntimeError("SMTP injoignable")

    monkeypatch.setattr("workflows.management.commands.send_overdue_digest.Command.escalate_and_send", fail)
    with pytest.raises(RuntimeError):
        digest()
    assert not Event.objects.filter(action="job.run").exists()
    monkeypatch.undo()
    assert "mis en file" in digest()  # the lock went with the failure


@pytest.mark.postgresql
def test_a_job_another_machine_runs_now_is_left_to_it():
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"],
                         autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [jobs._key("send_overdue_digest")])
        assert "déjà en cours sur une autre machine" in digest()
        assert not Event.objects.filter(action="job.run").exists()
        other.execute("SELECT pg_advisory_unlock(%s)", [jobs._key("send_overdue_digest")])
    assert "mis en file" in digest()
    assert Event.objects.filter(action="job.run").count() == 1
