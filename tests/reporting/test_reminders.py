"""The reminder of the reports due: from REPORT_REMINDER_DAY, the coordinators of a
cellule whose last month's report is not sent are told, once a day however often the job runs; a
cellule that sent it, or a day before the reminder's, is left alone; each run is recorded."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from audit.models import Event
from reporting import actions as reports
from reporting.figures import Month

APRIL_6 = datetime.datetime(2026, 4, 6, 8, 0, tzinfo=datetime.UTC)
MARCH = Month(datetime.date(2026, 3, 1))


def run() -> str:
    out = StringIO()
    call_command("remind_reports", stdout=out)
    return out.getvalue()


@pytest.fixture
def march_sent_in_the_69(personas, run_queue):
    with time_machine.travel(datetime.datetime(2026, 4, 2, 9, 0, tzinfo=datetime.UTC)):
        report = reports.current(personas.coord_b, personas.cell_b, MARCH)
        report = reports.edit(personas.coord_b, report, results="R", difficulties="D")
        reports.send(personas.coord_b, reports.validate(personas.coord_b, report))
        run_queue()
    mail.outbox.clear()


def test_the_late_cellule_is_reminded_once_a_day(personas, march_sent_in_the_69, run_queue):
    with time_machine.travel(APRIL_6):
        assert run() == "1 cellule rappelée.\n"
        assert run() == "0 cellule rappelée.\n"  # the second run of the day tells no one again
        run_queue()
    (message,) = mail.outbox
    assert message.to == [personas.coord_a.email] and "mars 2026" in message.subject
    assert "non commencé" in message.body and "/comptes-rendus/2026-03/" in message.body
    reminder = Event.objects.get(action="report.reminder")
    assert (reminder.departement, reminder.details["mois"]) == ("93", "2026-03")
    assert Event.objects.filter(action="job.run", details__tâche="remind_reports").count() == 2
    with time_machine.travel(APRIL_6 + datetime.timedelta(days=1)):
        assert run() == "1 cellule rappelée.\n"  # and again the next day, while it is not sent


def test_nobody_is_reminded_before_the_day(personas, settings):
    settings.REPORT_REMINDER_DAY = 10
    with time_machine.travel(APRIL_6):
        assert run() == "0 cellule rappelée.\n"
    assert not Event.objects.filter(action="report.reminder").exists()


def test_a_validated_report_not_sent_is_still_due(personas):
    with time_machine.travel(APRIL_6):
        report = reports.current(personas.coord_a, personas.cell_a, MARCH)
        reports.validate(personas.coord_a, reports.edit(personas.coord_a, report, results="R", difficulties="D"))
        run()
    assert {e.details["état"] for e in Event.objects.filter(action="report.reminder")} == {"validé", "non commencé"}
