"""Escalation: a task still open after its due date by more than the time it was
given (a family contact due in 7 days, still open 7 days after that) goes up to the coordinators of
its cellule: the task is marked, each coordinator gets an e-mail, and the daily digest lists it
first. ``send_overdue_digest`` escalates before it writes the digests, every day; a task is
escalated once. The mobile team's tasks are national, followed by its own delays, and are left out.
"""

import datetime
from typing import cast

from django.db import transaction
from django.utils import timezone

import audit
from organisation import policy
from organisation.policy import Actor
from workflows import kinds
from workflows.models import CaseTask
from workflows.notifications import coordinators, notify
from workflows.rules import TaskRight


def due(today: datetime.date) -> list[CaseTask]:
    """The open tasks of the cellules overdue by more than their own due period, not yet escalated."""
    overdue = (CaseTask.objects.overdue(today).filter(escalated_on__isnull=True)
               .exclude(flow_task_name__in=kinds.in_portal()))
    # Overdue, each has a due date, hence a due period.
    return [task for task in overdue
            if today - cast(datetime.date, task.due_on) > cast(datetime.timedelta, task.due_period)]


def escalate(actor: Actor, today: datetime.date | None = None) -> list[CaseTask]:
    """Escalate what is due: one transaction per task, each recorded, its coordinators told."""
    today = today or timezone.localdate()
    policy.require(actor, TaskRight.ESCALATE_TASK)
    escalated = []
    for task in due(today):
        with transaction.atomic():
            task = (CaseTask.objects.select_for_update(of=("self",)).select_related("case__departement", "owner")
                    .get(pk=task.pk))
            if task.escalated_on or task.listed_status not in ("NEW", "ASSIGNED", "STARTED"):
                continue  # done or escalated since it was listed
            task.escalated_on = today
            task.save(update_fields=["escalated_on"])
            holder = task.owner.get_full_name() if task.owner_id else "personne (dans la file)"
            audit.record("task.escalate", obj=task, departement=task.case.departement.code, details={
                "signalement": task.case.reference, "tâche": task.label,
                "échéance": cast(datetime.date, task.due_on).isoformat(), "détenteur": holder})  # due: it has one
            _tell_coordinators(task, holder)
        escalated.append(task)
    return escalated


def _tell_coordinators(task: CaseTask, holder: str) -> None:
    label = task.label
    own = task.departement_id == task.case.departement_id  # not a transfer to accept, listed where it goes
    notify(coordinators(task.departement_id), kind="task_escalated", case=task.case if own else None,
           title=f"Tâche en retard signalée : {label} — {task.case.reference}",
           text=f"La tâche « {label} » du signalement {task.case.reference}, échue le {task.due_on:%d/%m/%Y}, est "
                f"toujours ouverte (détenteur : {holder}). Elle est signalée aux coordonnateurs de la cellule.",
           path=task.case.get_absolute_url())
