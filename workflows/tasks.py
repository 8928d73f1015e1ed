"""Keeping a case's open tasks in step with its state, and claiming, releasing, completing them.

``sync()`` runs inside every entry point, after the transition: the task the action fulfilled is
completed by its actor, tasks the new state no longer needs are cancelled, and the tasks it needs
are opened. So the open tasks of a case always match ``kinds.expected(case)``: what the concerns
that declared kinds (their ``task_kinds.py``) ask of it.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from viewflow.workflow.status import STATUS
from viewflow.workflow.token import Token

import audit
from organisation import policy
from organisation.errors import ActionRefused
from organisation.policy import Actor
from workflows import flows, kinds
from workflows.kinds import Subject
from workflows.models import OPEN_STATUSES, CaseTask
from workflows.notifications import notify_assigned
from workflows.rules import TaskRight, may_take


def start(case: Subject, counted_from: datetime.date | None = None) -> None:
    """Open the case's process and its first tasks (called by the intake). ``counted_from``: the day
    they are due from, whatever their kinds count from (``kinds.counted_from``): a signalement of last
    year imported today is worked from today, not overdue and escalated the moment it exists."""
    flows.CaseFlow.start.run(case=case)
    with kinds.counting_from(counted_from):
        sync(case, actor=None)


def sync(case: Subject, actor: Actor | None, done: str | None = None) -> None:
    """Complete ``done`` as ``actor``'s work, cancel what the state no longer needs, open the rest.

    ``case`` is the entry point's, read under its lock with its process (``select_related``): the
    tasks read here are given that process, so that viewflow reads neither it nor the case again.
    """
    process = case.process
    wanted = kinds.expected(case)
    flow = flows.CaseFlow
    with flow.lock(process.pk):
        still_open: set[str] = set()
        start_task: CaseTask | None = None
        # The open tasks and the START task the new ones follow, in one query.
        for task in CaseTask.objects.filter(Q(status__in=OPEN_STATUSES) | Q(flow_task_type="START"), process=process):
            task.process = process
            if task.flow_task_type == "START":
                start_task = task
            elif task.flow_task_name == done:
                _complete(task, actor)
            elif task.flow_task_name in wanted:
                still_open.add(task.flow_task_name)
            else:
                task.flow_task.activation_class(task).cancel()
        for task_type in sorted(wanted - still_open):
            node = getattr(flow, task_type)
            activation = node.activation_class.create(node, flow.start.activation_class(start_task), Token("start"))
            if activation.task.owner_id:
                notify_assigned(activation.task)
        _follow(process, case.is_open)


def _follow(process: Any, is_open: bool) -> None:
    """The process follows the case, so that viewflow's own queries read the truth: it is done
    when the case is closed, and revived when the case reopens."""
    if not is_open and process.status != STATUS.DONE:
        process.status, process.finished = STATUS.DONE, timezone.now()
    elif is_open and process.status == STATUS.DONE:
        process.status, process.finished = STATUS.NEW, None
    else:
        return
    process.save(update_fields=["status", "finished"])


def _complete(task: CaseTask, actor: Actor | None) -> None:
    activation = task.flow_task.activation_class(task)
    if task.owner_id != getattr(actor, "pk", None):
        # Done by someone else than its holder (a coordinator acting from the case page): the task
        # is credited to who did it.
        task.owner = actor
        task.status = STATUS.ASSIGNED
    activation.start(None)
    activation.execute()


@contextmanager
def _activation(task: CaseTask) -> Iterator[Any]:
    """viewflow's ``task.activation()``: the task re-read under the process's lock, here with its
    case, département and process in the same query, so that neither viewflow nor the policy nor
    the trail reads them again."""
    with flows.CaseFlow.lock(task.process_id):
        task = CaseTask.objects.select_related("case__departement", "case__process", "owner").get(pk=task.pk)
        task.process = task.case.process
        yield task.flow_task.activation_class(task)


def claim(actor: User, task: CaseTask) -> CaseTask:
    """Take a task from the team's queue. Two people claiming at once: one gets it."""
    with transaction.atomic(), _activation(task) as activation:
        task = activation.task
        if task.status != STATUS.NEW:
            holder = task.owner.get_full_name() if task.owner_id else "quelqu'un d'autre"
            raise ActionRefused(f"Cette tâche a déjà été prise par {holder}.")
        policy.require(actor, TaskRight.CLAIM_TASK, task)
        if not task.flow_task.can_assign(actor, task):
            raise policy.AccessDenied(actor, TaskRight.CLAIM_TASK, task)
        activation.assign(actor)
        _record("task.claim", actor, task)
    return task


def release(actor: Actor, task: CaseTask) -> CaseTask:
    """Put a claimed task back in the team's queue."""
    with transaction.atomic(), _activation(task) as activation:
        task = activation.task
        if task.status != STATUS.ASSIGNED:
            raise ActionRefused("Cette tâche n'est plus attribuée : elle ne peut pas être remise dans la file.")
        policy.require(actor, TaskRight.RELEASE_TASK, task)
        _unassign(actor, activation)
    return task


def give(actor: Actor, task: CaseTask, person: User) -> CaseTask:
    """A coordinator gives a queue's task, free or held by someone else, to a named person of the
    cellule who may take that kind of task; it is in their inbox, and they are told."""
    with transaction.atomic(), _activation(task) as activation:
        task = activation.task
        if task.status not in (STATUS.NEW, STATUS.ASSIGNED):
            raise ActionRefused(f"La tâche « {task.label} » n'est plus ouverte : elle ne peut pas être confiée.")
        policy.require(actor, TaskRight.GIVE_TASK, task)
        name = person.get_full_name() or person.get_username()
        if task.owner_id == person.pk:
            raise ActionRefused(f"{name} détient déjà la tâche « {task.label} » ({task.case.reference}).")
        if not person.is_active or not may_take(person, task):
            raise ActionRefused(f"{name} ne peut pas prendre la tâche « {task.label} » ({task.case.reference}) : "
                                "il faut être de la cellule, avec le rôle que demande cette tâche.")
        previous = task.owner
        if previous is None:
            activation.assign(person)
        else:
            activation.reassign(person)
        _record("task.give", actor, task, {"confiée à": person.get_username(),
                                           **({"détenteur": previous.get_username()} if previous else {})})
        notify_assigned(task)
    return task


class Bulk(models.TextChoices):
    """What may be done at once to the tasks ticked in a list."""

    CLAIM = "prendre", "Prendre"
    RELEASE = "rendre", "Remettre dans la file"
    GIVE = "confier", "Confier"


def bulk(actor: User, action: Bulk, chosen: list[CaseTask], person: User | None = None) -> list[CaseTask]:
    """Claim, release or give every chosen task, or none: each goes through its own entry point (the
    policy, the lock, the trail), and the first refusal undoes those already done. viewflow's bulk
    views (``BulkAssignTasksActionView``) do the same in one transaction, asking viewflow's node
    permissions, which carry none here."""
    with transaction.atomic():
        match action:
            case Bulk.CLAIM:
                return [claim(actor, task) for task in chosen]
            case Bulk.RELEASE:
                return [release(actor, task) for task in chosen]
        if person is None:
            raise ActionRefused("Choisissez la personne à qui confier les tâches.")
        return [give(actor, task, person) for task in chosen]


def _unassign(actor: Actor, activation: Any) -> None:
    task = activation.task
    previous = task.owner
    activation.unassign()
    _record("task.release", actor, task, {"détenteur": previous.get_username()})


def hand_over(case: Subject, holder: User, new_owner: User) -> list[str]:
    """Give ``holder``'s open tasks of ``case`` to ``new_owner`` and tell them (a change of referent).

    The caller is the entry point that checked the right and holds the case's lock; the tasks' names
    are returned for its audit event. Open tasks are held as ``ASSIGNED`` (a task is started only
    when it is completed, ``_complete``), the one state viewflow's ``reassign`` moves from.
    """
    moved = []
    with flows.CaseFlow.lock(case.process.pk):
        for task in CaseTask.objects.filter(case=case, listed_owner=holder, listed_status=STATUS.ASSIGNED).exclude(
                flow_task_name__in=kinds.in_portal()):
            task.process, task.case = case.process, case
            task.flow_task.activation_class(task).reassign(new_owner)
            notify_assigned(task)
            moved.append(task.label)
    return moved


def release_held(actor: Actor, holder: User, departement_id: int) -> None:
    """Put back in the queue every task ``holder`` still holds in a département: they leave its
    cellule (``organisation.actions.end_membership``, which checked the actor's right). Run after
    their cases changed referent, so what is left are tasks taken from the queue."""
    held = CaseTask.objects.filter(listed_owner=holder, listed_status=STATUS.ASSIGNED, departement_id=departement_id)
    for task in held.exclude(flow_task_name__in=kinds.in_portal()):
        with _activation(task) as activation:
            _unassign(actor, activation)


def _record(action: str, actor: Actor, task: CaseTask, details: dict[str, object] | None = None) -> None:
    audit.record(action, obj=task, actor=actor, departement=task.case.departement.code,
                 details={"signalement": task.case.reference, "tâche": task.label,
                          **(details or {})})
