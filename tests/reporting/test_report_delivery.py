"""The monthly report is sent when the mail server accepts it: 'Envoi en cours'
until then, 'Échec de l'envoi' after the last attempt, sent again from its page, once."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse

from audit.models import Event
from organisation.errors import ActionRefused
from reporting import actions as reports
from reporting.figures import Month
from reporting.models import MonthlyReport

MARCH = Month(datetime.date(2026, 3, 1))
URL = reverse("reports:detail", args=["2026-03"])


@pytest.fixture
def smtp_down(monkeypatch):
    def refuse(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@exemple.invalid": (550, b"refus")})

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    return monkeypatch


def validated(personas) -> MonthlyReport:
    report = reports.current(personas.coord_a, personas.cell_a, MARCH)
    report = reports.edit(personas.coord_a, report, results="R", difficulties="D")
    return reports.validate(personas.coord_a, report)


def test_a_report_the_server_never_accepts_shows_its_failure_and_is_sent_again(client, personas, settings,
                                                                              smtp_down, run_queue):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    report = reports.send(personas.coord_a, validated(personas))
    assert report.status == "sending" and report.sent_at is None
    with pytest.raises(ActionRefused, match="en cours d'envoi"):
        reports.edit(personas.coord_a, report, results="x", difficulties="y")
    run_queue()
    report.refresh_from_db()
    assert report.status == "failed" and not mail.outbox
    failed = Event.objects.get(action="report.delivery_failed")
    assert (failed.actor_id, failed.actor_label) == (None, "envoi des courriels")
    with pytest.raises(ActionRefused, match="échoué"):
        reports.edit(personas.coord_a, report, results="x", difficulties="y")

    client.force_login(personas.coord_a)
    page = client.get(URL).content.decode()
    assert "L'envoi a échoué" in page.replace("&#x27;", "'") and 'name="resend"' in page
    assert client.post(URL, {"resend": ""}).status_code == 400  # not confirmed: nothing queued
    assert MonthlyReport.objects.get().status == "failed"
    client.force_login(personas.coord_b)  # another cellule's coordinator sends only their own
    client.post(URL, {"resend": "", "confirm_send": "on"})
    assert MonthlyReport.objects.get().status == "failed"

    smtp_down.undo()
    client.force_login(personas.coord_a)
    client.post(URL, {"resend": "", "confirm_send": "on"})
    assert MonthlyReport.objects.get().status == "sending"
    run_queue()
    report.refresh_from_db()
    assert report.status == "sent" and report.sent_at is not None
    assert len([m for m in mail.outbox if m.attachments]) == 1
    assert Event.objects.filter(action="report.delivered").count() == 1
    assert run_queue() == 0 and len(mail.outbox) == 1  # told once, sent once


def test_a_report_is_sent_when_the_server_accepts_it_not_before(personas, run_queue):
    report = reports.send(personas.coord_a, validated(personas))
    assert MonthlyReport.objects.get().status == "sending" and not mail.outbox
    run_queue()
    report.refresh_from_db()
    assert report.status == "sent" and [m.attachments != [] for m in mail.outbox] == [True]
    with pytest.raises(ActionRefused, match="figé"):
        reports.send(personas.coord_a, report)


def test_the_table_goes_to_the_three_addresses_of_the_note_at_once(personas, run_queue, settings):
    """« à adresser simultanément aux adresses électroniques suivantes » (note of 19 February 2015, III): one
    message to the three, the demo's default recipients."""
    from project.settings import MINISTRY_ADDRESSES

    settings.REPORT_RECIPIENTS = MINISTRY_ADDRESSES
    reports.send(personas.coord_a, validated(personas))
    run_queue()
    assert [sorted(m.to) for m in mail.outbox] == [sorted(["prevention-radicalisation@interieur.gouv.fr",
                                                            "cipd.siat@interieur.gouv.fr",
                                                            "cnapr-alerte@interieur.gouv.fr"])]
