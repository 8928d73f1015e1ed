"""The e-mail queue: queued in the caller's transaction, retried with backoff when
the mail server fails, failed after the last attempt without holding the others, sent once."""

import datetime
import smtplib
import threading
import time
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from outbox.mail import deliver, queue_mail
from outbox.queue import backlog, run_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(monkeypatch):
    """The mail server, up by default; ``smtp.down = True`` makes it refuse every connection."""
    from django.core.mail.backends.locmem import EmailBackend

    state = type("Smtp", (), {"down": False, "tries": 0, "delay": 0})()
    send = EmailBackend.send_messages

    def send_messages(self, messages):
        state.tries += 1
        time.sleep(state.delay)  # a server's answer takes time: concurrent workers overlap
        if state.down:
            raise smtplib.SMTPConnectError(421, "Service non disponible")
        return send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return state


def later(seconds: float):
    return time_machine.travel(timezone.now() + datetime.timedelta(seconds=seconds), tick=False)


def test_a_rolled_back_change_queues_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_mail("Objet", "Corps", ["a@exemple.invalid"])
        raise RuntimeError("l'action échoue après avoir mis son courriel en file")
    assert not DBTaskResult.objects.exists() and run_due() == 0 and not mail.outbox


def test_a_committed_message_waits_in_the_database_and_is_sent_once(smtp):
    queue_mail("Objet", "Corps", ["a@exemple.invalid"])
    assert backlog().pending == 1
    assert run_due() == 1 and run_due() == 0
    assert [(m.subject, m.to) for m in mail.outbox] == [("Objet", ["a@exemple.invalid"])]
    assert backlog().pending == 0


def test_no_recipient_no_message():
    queue_mail("Objet", "Corps", [])
    assert not DBTaskResult.objects.exists()


def test_smtp_down_then_up_the_message_is_retried_later_and_sent_once(smtp, settings):
    settings.OUTBOX_RETRY_SECONDS = 60
    queue_mail("Objet", "Corps", ["a@exemple.invalid"])
    smtp.down = True
    assert run_due() == 1 and not mail.outbox
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["args"][2] == 2
    assert 59 <= (retry.run_after - timezone.now()).total_seconds() <= 61  # not before its time
    assert run_due() == 0 and backlog().pending == 1
    with later(61):
        assert run_due() == 1 and not mail.outbox  # still down: the next wait doubles
        third = DBTaskResult.objects.get(status="READY")
        assert 119 <= (third.run_after - timezone.now()).total_seconds() <= 121
    smtp.down = False
    with later(61 + 121):
        assert run_due() == 1 and run_due() == 0
    assert len(mail.outbox) == 1 and smtp.tries == 3


def test_the_last_attempt_fails_the_message_visibly_and_the_others_still_go(smtp, settings):
    settings.OUTBOX_MAX_ATTEMPTS, settings.OUTBOX_RETRY_SECONDS = 2, 10
    queue_mail("Premier", "Corps", ["a@exemple.invalid"])
    smtp.down = True
    run_due()
    with later(11):
        run_due()
    failed = DBTaskResult.objects.failed().get()
    assert failed.exception_class_path == "smtplib.SMTPConnectError" and backlog().failed == 1
    out = StringIO()
    call_command("outbox", "--failed", stdout=out)
    assert "en échec : 1" in out.getvalue() and "« Premier »" in out.getvalue()
    smtp.down = False
    queue_mail("Second", "Corps", ["b@exemple.invalid"])
    with later(20):
        assert run_due() == 1
    assert [m.subject for m in mail.outbox] == ["Second"]


def test_a_poison_message_fails_at_once_without_holding_the_queue(smtp):
    deliver.enqueue({"subject": "illisible"})  # a payload no attempt can read
    queue_mail("Bon", "Corps", ["a@exemple.invalid"])
    assert run_due() == 2
    assert DBTaskResult.objects.failed().get().exception_class_path == "builtins.KeyError"
    assert [m.subject for m in mail.outbox] == ["Bon"] and backlog().pending == 0


def test_the_command_lists_whats_waiting_and_runs_it(smtp):
    queue_mail("Objet", "Corps", ["a@exemple.invalid"])
    out = StringIO()
    call_command("outbox", stdout=out)
    assert "En attente : 1" in out.getvalue() and "a@exemple.invalid" in out.getvalue()
    assert "Corps" not in out.getvalue()  # the content stays in the database
    call_command("outbox", "--run", stdout=StringIO())
    assert len(mail.outbox) == 1


def test_health_shows_the_backlog_and_fails_when_a_due_message_waits_too_long(client, settings):
    settings.HEALTH_QUEUE_SECONDS = 900
    queue_mail("Objet", "Corps", ["a@exemple.invalid"])
    state = client.get("/health/").json()
    assert state["file_courriels"]["en_attente"] == 1 and state["file_courriels"]["en_echec"] == 0
    with later(901):
        response = client.get("/health/")
    assert response.status_code == 503 and response.json()["file_courriels"]["age_s"] >= 900


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_once(settings, smtp):
    """Two workers claim from the same table at the same time (SELECT … FOR UPDATE SKIP LOCKED)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    smtp.delay = 0.01
    for number in range(30):
        queue_mail(f"Message {number}", "Corps", ["a@exemple.invalid"])
    counts, start = {}, threading.Barrier(2)

    def work(name):
        start.wait()
        try:
            counts[name] = run_due(name)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(name,)) for name in ("w1", "w2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m.subject for m in mail.outbox) == sorted(f"Message {n}" for n in range(30))
    assert counts["w1"] + counts["w2"] == 30 and counts["w1"] and counts["w2"]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
