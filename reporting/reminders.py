"""The reminder of the reports due: from ``REPORT_REMINDER_DAY`` of a month, the
coordinators of a cellule whose report of the month before is not sent yet are told each day, once a
day however many times the job runs (``manage.py remind_reports``, a daily timer)."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

import audit
from audit.models import Event
from organisation.models import Cell
from reporting.figures import Month
from reporting.models import MonthlyReport
from reporting.periods import first_months
from workflows.notifications import coordinators, notify


def due(today: datetime.date) -> list[tuple[Cell, str]]:
    """The cellules whose report of last month is not sent by ``REPORT_REMINDER_DAY``, with its state;
    none for a month before a cellule's first (``periods``)."""
    if today.day < settings.REPORT_REMINDER_DAY:
        return []
    month = Month(today.replace(day=1)).previous()
    states = dict(MonthlyReport.objects.filter(month=month.first).order_by("version")
                  .values_list("cell_id", "status"))
    label = dict(MonthlyReport.Status.choices)
    cells = list(Cell.objects.select_related("departement").order_by("departement__code"))
    firsts = first_months(cells)
    return [(cell, label[states[cell.pk]].lower() if cell.pk in states else "non commencé")
            for cell in cells if states.get(cell.pk) != MonthlyReport.Status.SENT and firsts[cell.pk] <= month]


def remind(today: datetime.date | None = None) -> int:
    """Tell each late cellule's coordinators, unless they were told today; returns how many were."""
    today = today or timezone.localdate()
    month = Month(today.replace(day=1)).previous()
    told = set(Event.objects.filter(action="report.reminder", time__date=today, details__mois=str(month))
               .values_list("departement", flat=True))
    sent = 0
    for cell, state in due(today):
        code = cell.departement.code
        if code in told:
            continue
        told_now = notify(coordinators(cell.departement_id), kind="report_due",
                          title=f"Compte rendu {month.of_label()} à envoyer",
                          text=f"Le compte rendu mensuel {month.of_label()} de la {cell} n'est pas encore envoyé au "
                               f"ministère (état : {state}).", path=reverse("reports:detail", args=[str(month)]))
        audit.record("report.reminder", obj=cell, departement=code,
                     details={"mois": str(month), "état": state, "destinataires": len(told_now)})
        sent += 1
    return sent
