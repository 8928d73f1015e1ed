"""Rights on tasks: claiming, releasing and executing, and the tasks a user may see.

viewflow knows nothing of départements: these rules are asked before viewflow's own checks (is
the task still free, is it assigned to the user), never instead of them.
"""

import enum
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from viewflow.workflow.status import STATUS

from organisation.models import Cell, Role
from organisation.policy import Actor, Principal, Scope, rule, scope, user_id
from ui import statements
from workflows import kinds
from workflows.kinds import Queue, Subject
from workflows.models import OPEN_STATUSES, CaseTask, FormerHolder, Notification, SavedView


class TaskRight(enum.StrEnum):
    CLAIM_TASK = "claim_task"
    RELEASE_TASK = "release_task"
    EXECUTE_TASK = "execute_task"
    ESCALATE_TASK = "escalate_task"
    VIEW_CELLULE_TASKS = "view_cellule_tasks"  # the tasks the cellule's members hold, for its coordinators
    GIVE_TASK = "give_task"  # a queue's task given (or given again) to a named person, by a coordinator


class ViewRight(enum.StrEnum):
    """Rights on the saved views of the lists (``workflows.saved_views``)."""

    SAVE_VIEW = "save_view"  # on a cellule: keep a view of one's own, shared or not
    OPEN_VIEW = "open_view"  # on a view: one's own, or one shared in one's cellule
    CHANGE_VIEW = "change_view"  # on a view: its author's, while in its cellule
    SET_DEFAULT_VIEW = "set_default_view"  # on a cellule: the view a role opens a list with, for its coordinators


class NotificationRight(enum.StrEnum):
    READ_NOTIFICATION = "read_notification"  # one's own, and only one's own
    CHOOSE_NOTIFICATION_EMAIL = "choose_notification_email"


def holds_task(user: Principal, case: Subject, task_type: str | None = None) -> bool:
    """The user holds an open task of the case (of one kind, if given): "holding" a task is always an
    open one; ``held_task`` says whether they ever held one."""
    tasks = case.tasks.filter(listed_owner_id=user_id(user), listed_status__in=OPEN_STATUSES)
    return (tasks.filter(flow_task_name=task_type) if task_type else tasks).exists()


def held_task(user: Principal, case: Subject) -> bool:
    """The user holds or once held one of the case's tasks: open, done, or since left to someone else
    or to the queue (``FormerHolder``)."""
    person = user_id(user)
    return person is not None and (case.tasks.filter(listed_owner_id=person).exists()
                                   or FormerHolder.objects.filter(case=case, user_id=person).exists())


def cases_held(user: Actor, cases: Iterable[Subject]) -> frozenset[int]:
    """Which of ``cases`` the user holds an open task of, in one query (``holds_task`` for a list), its
    statement kept per person and cases (``ui.statements``)."""
    ids = tuple(case.pk for case in cases)
    return frozenset(case_id for case_id, in statements.values(("cases held", user_id(user), ids), lambda: (
        CaseTask.objects.filter(case__in=ids, listed_owner_id=user_id(user), listed_status__in=OPEN_STATUSES)
        .values_list("case_id"))))


def _may_claim(s: Scope, task: CaseTask) -> bool:
    """Who may take each kind of task from a queue (``TaskKind.queue``); the others are given to
    someone directly."""
    queue = task.kind.queue if task.kind is not None else Queue.NONE
    match queue:
        case Queue.FAMILY_CONTACTS:
            return task.departement_id in s.family_contact_departement_ids
        case Queue.COORDINATORS:
            return task.departement_id in s.coordinated_departement_ids
        case Queue.MOBILE_TEAM:
            return Role.MOBILE_TEAM in s.roles
    return False


def _given_to(user: Principal, task: CaseTask) -> bool:
    """The task's kind gives it to this user (a case's référent sets up the care)."""
    kind = task.kind
    return (kind is not None and kind.assignee is not None
            and getattr(kind.assignee(task.case), "pk", None) == user_id(user))


@rule(TaskRight.ESCALATE_TASK)
def _escalate(user: Principal, right: str, target: object) -> bool:
    """The daily job's (``workflows.escalation``), run as the system; never a person's."""
    return False


@rule(TaskRight.VIEW_CELLULE_TASKS)
def _cellule_tasks(user: Principal, right: str, cell: object) -> bool:
    """On one cellule, or (no target) on the cellules the user coordinates, if any."""
    coordinated = scope(user).coordinated_cell_ids
    return cell.pk in coordinated if isinstance(cell, Cell) else cell is None and bool(coordinated)


@rule(NotificationRight.READ_NOTIFICATION, NotificationRight.CHOOSE_NOTIFICATION_EMAIL)
def _own_notifications(user: Principal, right: str, target: object) -> bool:
    """A person who holds a role reads and marks their own notifications (no target: their list) and
    chooses how they are told; nobody reaches another's, and an account whose roles ended reads none
    (they may name cases it no longer opens)."""
    if not getattr(user, "is_authenticated", False) or not scope(user).roles:
        return False
    return target is None or (isinstance(target, Notification) and target.recipient_id == user_id(user))


@rule(TaskRight.CLAIM_TASK, TaskRight.RELEASE_TASK, TaskRight.EXECUTE_TASK)
def _on_task(user: Principal, right: str, task: object) -> bool:
    if not isinstance(task, CaseTask):
        return False
    s = scope(user)
    team_task = task.flow_task_name in kinds.in_portal()
    departement = task.departement_id  # the case's, or the receiving one's for a transfer to accept
    if (Role.MOBILE_TEAM not in s.roles) if team_task else (departement not in s.cell_departement_ids):
        return False
    match right:
        case TaskRight.CLAIM_TASK:
            return task.status == STATUS.NEW and (_may_claim(s, task) or _given_to(user, task))
        case TaskRight.RELEASE_TASK:
            mine = task.owner_id == user_id(user)
            coordinated = not team_task and departement in s.coordinated_departement_ids
            return task.status == STATUS.ASSIGNED and _may_claim(s, task) and (mine or coordinated)
    return task.status in (STATUS.ASSIGNED, STATUS.STARTED) and task.owner_id == user_id(user)  # EXECUTE_TASK


def may_take(user: Principal, task: CaseTask) -> bool:
    """The person may hold this task of a queue, whoever holds it now: in its cellule, with the role
    its queue asks (a coordinator, or a member designated to contact families)."""
    return task.departement_id in scope(user).cell_departement_ids and _may_claim(scope(user), task)


@rule(TaskRight.GIVE_TASK)
def _give(user: Principal, right: str, task: object) -> bool:
    """A coordinator gives their cellule's queue tasks, free or held, to a named person; a task given
    by its kind (the référent's) follows the case, never a coordinator's choice."""
    if not isinstance(task, CaseTask) or task.kind is None or task.kind.queue in (Queue.NONE, Queue.MOBILE_TEAM):
        return False
    coordinated = scope(user).coordinated_departement_ids
    return task.status in (STATUS.NEW, STATUS.ASSIGNED) and task.departement_id in coordinated


@rule(ViewRight.SAVE_VIEW, ViewRight.SET_DEFAULT_VIEW)
def _views_of_cell(user: Principal, right: str, cell: object) -> bool:
    s = scope(user)
    cells = s.cell_ids if right == ViewRight.SAVE_VIEW else s.coordinated_cell_ids
    return isinstance(cell, Cell) and cell.pk in cells


@rule(ViewRight.OPEN_VIEW, ViewRight.CHANGE_VIEW)
def _on_view(user: Principal, right: str, view: object) -> bool:
    if not isinstance(view, SavedView) or view.cell_id not in scope(user).cell_ids:
        return False
    mine = view.owner_id == user_id(user)
    return mine or (right == ViewRight.OPEN_VIEW and view.shared)


def views_visible_to(user: Actor) -> QuerySet[SavedView]:
    """The saved views the user may open: theirs and those shared in their cellules (``OPEN_VIEW``)."""
    return SavedView.objects.filter(Q(owner_id=user_id(user)) | Q(shared=True), cell_id__in=scope(user).cell_ids)


def _claimable(user: Actor) -> Q:
    """The kinds of free task the user may take, in the départements where they may take them."""
    s = scope(user)
    return (
        Q(flow_task_name__in=kinds.in_queue(Queue.FAMILY_CONTACTS), departement_id__in=s.family_contact_departement_ids)
        | Q(flow_task_name__in=kinds.in_queue(Queue.COORDINATORS), departement_id__in=s.coordinated_departement_ids)
    )


def tasks_visible_to(user: Actor) -> QuerySet[CaseTask]:
    """Tasks that are the user's, or that they may claim: in their cellules, or the mobile team's."""
    s = scope(user)
    portal = kinds.in_portal()
    visible = Q(departement_id__in=s.cell_departement_ids) & ~Q(flow_task_name__in=portal) & (
        Q(listed_owner_id=user_id(user)) | (Q(listed_owner__isnull=True) & _claimable(user)))
    if Role.MOBILE_TEAM in s.roles:
        visible |= Q(flow_task_name__in=portal) & (
            Q(listed_owner_id=user_id(user))
            | Q(listed_owner__isnull=True, flow_task_name__in=kinds.in_queue(Queue.MOBILE_TEAM)))
    return CaseTask.objects.filter(visible)


def tasks_claimable_by(user: Actor) -> QuerySet[CaseTask]:
    """The team's queue as the user sees it: the free tasks of their cellules they may take
    (``tasks_visible_to``'s other branch alone, the mobile team's kinds left to its portal). Asked on its
    own, its plan walks the queue's index in its order and stops at the page, where the owner's branch of
    ``tasks_visible_to`` made it read the whole queue through a bitmap and sort it."""
    return CaseTask.objects.filter(_claimable(user), listed_status=STATUS.NEW, listed_owner__isnull=True,
                                   departement_id__in=scope(user).cell_departement_ids).exclude(
        flow_task_name__in=kinds.in_portal())


def tasks_held_by(user: Actor) -> QuerySet[CaseTask]:
    """The tasks the user holds or held in their cellules: ``tasks_visible_to``'s own branch alone. Their
    lists ask it, not ``tasks_visible_to`` narrowed to the owner: the planner keeps that one's ``OR …
    IS NULL`` arm, reads every task of the person through a bitmap and sorts them all, where this one
    walks the owner's index in the lists' order and stops at the page."""
    return CaseTask.objects.filter(listed_owner_id=user_id(user),
                                   departement_id__in=scope(user).cell_departement_ids).exclude(
        flow_task_name__in=kinds.in_portal())


def tasks_escalated_to(user: Actor) -> QuerySet[CaseTask]:
    """The open tasks of the cellules the user coordinates that went up to their coordinators for being
    late (``workflows.escalation``), whoever holds them; read through their own index."""
    return CaseTask.objects.open().filter(departement_id__in=scope(user).coordinated_departement_ids,
                                          escalated_on__isnull=False).exclude(flow_task_name__in=kinds.in_portal())


def tasks_releasable_by(user: Actor) -> QuerySet[CaseTask]:
    """Where a release is looked for: the user's own tasks, and for a coordinator the tasks their
    cellule's members hold (the policy then says which may go back to the queue)."""
    held_in_cellule = (Q(departement_id__in=scope(user).coordinated_departement_ids)
                       & ~Q(flow_task_name__in=kinds.in_portal()))
    return tasks_visible_to(user) | CaseTask.objects.filter(held_in_cellule)


def tasks_held_in_cellule(user: Actor) -> QuerySet[CaseTask]:
    """The open tasks someone holds in the cellules the user coordinates (``VIEW_CELLULE_TASKS``):
    who is late, what was escalated, what a coordinator may put back in the queue."""
    return CaseTask.objects.filter(departement_id__in=scope(user).coordinated_departement_ids,
                                   listed_owner__isnull=False,
                                   listed_status__in=[STATUS.ASSIGNED, STATUS.STARTED]).exclude(
        flow_task_name__in=kinds.in_portal())
