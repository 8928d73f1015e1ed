"""The access policy: the one place that decides who may see or do what.

Everything a user may see or do follows from their *active* memberships (and, for inspectors,
their active mandates) on the day of the request. Views, commands, the admin and later the API
ask this module; none of them decides by itself. A user without an active membership sees nothing.
"""

import datetime
import enum
from dataclasses import dataclass, field

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from organisation.models import Cell, Departement, Mandate, Membership, Role
from organisation.roles import group_name

# When a user holds several memberships, the first role in this order speaks for them in the
# header and in the audit trail.
ROLE_PRECEDENCE = [Role.ADMIN, Role.NATIONAL, Role.INSPECTOR, Role.MOBILE_TEAM, Role.COORDINATOR, Role.MEMBER]


class Action(enum.StrEnum):
    VIEW_CELL = "view_cell"
    VIEW_COMPOSITION = "view_composition"
    MANAGE_MEMBERSHIPS = "manage_memberships"
    MANAGE_REFERENCE_DATA = "manage_reference_data"
    VIEW_AGGREGATES = "view_aggregates"
    VIEW_AUDIT = "view_audit"
    # on a cellule
    INTAKE = "intake"
    MANAGE_REPORT = "manage_report"
    MANAGE_MEETINGS = "manage_meetings"
    # on a case: the transitions of BRIEF §3 carry these names
    VIEW_CASE = "view_case"
    CONTACT_FAMILY = "contact_family"
    ASSIGN = "assign"
    START_CARE = "start_care"
    REQUEST_MOBILE_TEAM = "request_mobile_team"
    MOBILE_TEAM_DONE = "mobile_team_done"
    CLOSE = "close"
    REOPEN = "reopen"
    TRANSFER = "transfer"
    EDIT_CASE = "edit_case"
    MANAGE_CARE = "manage_care"
    REVIEW = "review"
    DECIDE_CLOSURE = "decide_closure"
    MANAGE_MOBILE_REQUEST = "manage_mobile_request"  # withdraw, read the team's answer
    MANAGE_INTERVIEWS = "manage_interviews"  # the family's requests for an interview
    # on a request to the mobile team
    VIEW_MOBILE_REQUEST = "view_mobile_request"
    HANDLE_MOBILE_REQUEST = "handle_mobile_request"  # accept or decline: whoever holds the request's task
    WORK_MOBILE_REQUEST = "work_mobile_request"  # schedule, report, complete: the agent who accepted it
    # on a task
    CLAIM_TASK = "claim_task"
    RELEASE_TASK = "release_task"
    EXECUTE_TASK = "execute_task"


CELL_ACTIONS = {Action.VIEW_CELL, Action.VIEW_COMPOSITION, Action.MANAGE_MEMBERSHIPS, Action.INTAKE,
                Action.MANAGE_REPORT, Action.MANAGE_MEETINGS}
TASK_ACTIONS = {Action.CLAIM_TASK, Action.RELEASE_TASK, Action.EXECUTE_TASK}
# Case actions for the coordinators of the case's cellule only.
COORDINATOR_CASE_ACTIONS = {
    Action.ASSIGN, Action.REQUEST_MOBILE_TEAM, Action.CLOSE, Action.REOPEN, Action.TRANSFER,
    Action.DECIDE_CLOSURE, Action.MANAGE_MOBILE_REQUEST, Action.MANAGE_INTERVIEWS,
}
REQUEST_ACTIONS = {Action.VIEW_MOBILE_REQUEST, Action.HANDLE_MOBILE_REQUEST, Action.WORK_MOBILE_REQUEST}
CASE_ACTIONS = COORDINATOR_CASE_ACTIONS | {
    Action.VIEW_CASE, Action.CONTACT_FAMILY, Action.START_CARE, Action.EDIT_CASE, Action.MANAGE_CARE, Action.REVIEW,
    Action.MOBILE_TEAM_DONE,
}


class AccessDenied(PermissionDenied):
    """A user asked for something the policy refuses; recorded as ``access.denied``."""

    def __init__(self, user, action: str, target=None) -> None:
        self.user, self.action, self.target = user, action, target
        super().__init__("Vous n'avez pas les droits nécessaires pour cette action.")


class _System:
    """The operator running a management command on the server: every organisation right.

    Recorded in the trail as no user, with the command's label (``audit.acting(label=...)``).
    """

    is_authenticated = False
    is_active = True

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _System()


@dataclass(frozen=True)
class Scope:
    """What one user may reach on one day, computed once from their memberships and mandates."""

    memberships: tuple[Membership, ...] = ()
    mandates: tuple[Mandate, ...] = ()
    roles: frozenset[str] = frozenset()
    cell_ids: frozenset[int] = frozenset()
    coordinated_cell_ids: frozenset[int] = frozenset()
    mandate_departement_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def primary(self) -> Membership | None:
        """The membership that speaks for the user (header, audit trail)."""
        ranked = sorted(self.memberships, key=lambda m: (ROLE_PRECEDENCE.index(m.role), m.pk))
        return ranked[0] if ranked else None

    @property
    def departement_ids(self) -> frozenset[int]:
        """Départements whose nominative data the user may see."""
        return self.cell_departement_ids | self.mandate_departement_ids

    @property
    def cell_departement_ids(self) -> frozenset[int]:
        """Départements of the cellules the user works in (coordinator or member)."""
        return frozenset(m.cell.departement_id for m in self.memberships if m.cell_id)

    @property
    def coordinated_departement_ids(self) -> frozenset[int]:
        return frozenset(m.cell.departement_id for m in self.memberships if m.role == Role.COORDINATOR)

    @property
    def family_contact_departement_ids(self) -> frozenset[int]:
        """Where the user may take family-contact tasks: coordinators, and the members designated."""
        designated = {m.cell.departement_id for m in self.memberships if m.cell_id and m.contacts_families}
        return self.coordinated_departement_ids | designated


def scope(user, at: datetime.date | None = None) -> Scope:
    """The user's scope on a day (today by default), cached on the user object for today."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cacheable = at is None
    if cacheable and hasattr(user, "_policy_scope"):
        return user._policy_scope
    at = at or timezone.localdate()
    memberships = tuple(
        Membership.objects.active(at).filter(user=user).select_related("cell__departement", "institution")
    )
    roles = frozenset(m.role for m in memberships)
    mandates = ()
    if Role.INSPECTOR in roles:
        mandates = tuple(Mandate.objects.active(at).filter(inspector=user).prefetch_related("departements"))
    result = Scope(
        memberships=memberships,
        mandates=mandates,
        roles=roles,
        cell_ids=frozenset(m.cell_id for m in memberships if m.cell_id),
        coordinated_cell_ids=frozenset(m.cell_id for m in memberships if m.role == Role.COORDINATOR),
        mandate_departement_ids=frozenset(d.pk for mandate in mandates for d in mandate.departements.all()),
    )
    if cacheable:
        user._policy_scope = result
    return result


def coordinated_cell(user, action: str) -> Cell:
    """The cellule the user coordinates, for pages that work on "my cellule"; refused otherwise."""
    s = scope(user)
    cell = next((m.cell for m in s.memberships if m.cell_id in s.coordinated_cell_ids), None)
    if cell is None:
        raise AccessDenied(user, action)
    return cell


def forget(user) -> None:
    """Drop what was cached on the user object after their memberships changed."""
    for name in ("_policy_scope", "_membership_perm_cache", "_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(name, None)


def can(user, action: Action, target=None) -> bool:
    if user is SYSTEM:
        return True
    if action in CELL_ACTIONS and not isinstance(target, Cell):
        return False
    if action in CASE_ACTIONS:
        return _can_on_case(user, action, target)
    if action in TASK_ACTIONS:
        return _can_on_task(user, action, target)
    if action in REQUEST_ACTIONS:
        return _can_on_request(user, action, target)
    s = scope(user)
    match action:
        case Action.VIEW_CELL:
            return Role.ADMIN in s.roles or Role.NATIONAL in s.roles or _cell_in_scope(s, target)
        case Action.VIEW_COMPOSITION:
            return Role.ADMIN in s.roles or _cell_in_scope(s, target)
        case Action.MANAGE_MEMBERSHIPS:
            return Role.ADMIN in s.roles or target.pk in s.coordinated_cell_ids
        case Action.INTAKE | Action.MANAGE_REPORT | Action.MANAGE_MEETINGS:
            return target.pk in s.coordinated_cell_ids
        case Action.MANAGE_REFERENCE_DATA:
            return Role.ADMIN in s.roles
        case Action.VIEW_AGGREGATES:
            return Role.NATIONAL in s.roles
        case Action.VIEW_AUDIT:
            return isinstance(target, Departement) and target.pk in s.mandate_departement_ids
    raise ValueError(f"Action inconnue : {action}")


def require(user, action: Action, target=None) -> None:
    """Raise ``AccessDenied`` unless ``can(user, action, target)``."""
    if not can(user, action, target):
        raise AccessDenied(user, action, target)


def _can_on_case(user, action: Action, case) -> bool:
    from cases.models import Case

    if not isinstance(case, Case):
        return False
    s = scope(user)
    coordinator = case.departement_id in s.coordinated_departement_ids
    referent = case.referent_id == user.pk and case.departement_id in s.cell_departement_ids
    match action:
        case Action.VIEW_CASE:
            return (coordinator or referent or case.departement_id in s.mandate_departement_ids
                    or (case.departement_id in s.cell_departement_ids and _owns_a_task(user, case)))
        case Action.CONTACT_FAMILY:
            return coordinator or _holds_task(user, case, "contact_family")
        case Action.START_CARE | Action.REVIEW:
            return referent
        case Action.EDIT_CASE | Action.MANAGE_CARE:
            return coordinator or referent
        case Action.MOBILE_TEAM_DONE:  # the coordinators, or the team agent who handles the request
            return coordinator or (Role.MOBILE_TEAM in s.roles and case.mobile_team_requests.filter(
                handled_by_id=user.pk, status__in=["requested", "accepted", "scheduled"]).exists())
    return coordinator  # COORDINATOR_CASE_ACTIONS


def _can_on_request(user, action: Action, request) -> bool:
    """The mobile team is national: any agent sees the requests addressed to it, never the case."""
    from mobile_team.models import MobileTeamRequest

    if not isinstance(request, MobileTeamRequest) or Role.MOBILE_TEAM not in scope(user).roles:
        return False
    match action:
        case Action.VIEW_MOBILE_REQUEST:
            return True
        case Action.HANDLE_MOBILE_REQUEST:
            return _holds_task(user, request.case, "handle_request")
    return request.handled_by_id == user.pk  # WORK_MOBILE_REQUEST


def _owns_a_task(user, case) -> bool:
    return case.tasks.filter(owner_id=user.pk).exists()


def _holds_task(user, case, task_type: str) -> bool:
    from workflows.models import OPEN_STATUSES

    return case.tasks.filter(owner_id=user.pk, flow_task_name=task_type, status__in=OPEN_STATUSES).exists()


def _may_claim(s: Scope, task) -> bool:
    """Who may take each kind of task from a queue; the others are given to someone directly."""
    from workflows.models import TaskType

    departement = task.case.departement_id
    match task.flow_task_name:
        case TaskType.CONTACT_FAMILY:
            return departement in s.family_contact_departement_ids
        case TaskType.NAME_REFERENT | TaskType.DECIDE_CLOSURE | TaskType.READ_TEAM_ANSWER | TaskType.ANSWER_INTERVIEW:
            return departement in s.coordinated_departement_ids
        case TaskType.HANDLE_REQUEST:
            return Role.MOBILE_TEAM in s.roles
    return False


def _can_on_task(user, action: Action, task) -> bool:
    """Claiming, releasing and executing a task: viewflow's permission check is not enough, since
    it knows nothing of départements; this is asked before viewflow's own check, never instead."""
    from viewflow.workflow.status import STATUS

    from workflows.models import TEAM_TASKS, CaseTask

    if not isinstance(task, CaseTask):
        return False
    s = scope(user)
    team_task = task.flow_task_name in TEAM_TASKS
    departement = task.case.departement_id
    if (Role.MOBILE_TEAM not in s.roles) if team_task else (departement not in s.cell_departement_ids):
        return False
    match action:
        case Action.CLAIM_TASK:
            given = task.flow_task_name in ("set_up_care", "review") and task.case.referent_id == user.pk
            return task.status == STATUS.NEW and (_may_claim(s, task) or given)
        case Action.RELEASE_TASK:
            mine = task.owner_id == user.pk
            coordinated = not team_task and departement in s.coordinated_departement_ids
            return task.status == STATUS.ASSIGNED and _may_claim(s, task) and (mine or coordinated)
        case Action.EXECUTE_TASK:
            return task.status in (STATUS.ASSIGNED, STATUS.STARTED) and task.owner_id == user.pk
    return False


def cases_visible_to(user, cases: QuerySet | None = None) -> QuerySet:
    """The cases the user may open: their cellule's as coordinator, those they work on as member,
    their mandate's as inspector; nothing for the other roles."""
    from cases.models import Case
    from workflows.models import CaseTask

    cases = Case.objects.all() if cases is None else cases
    s = scope(user)
    involved = Q(referent_id=user.pk) | Exists(CaseTask.objects.filter(case=OuterRef("pk"), owner_id=user.pk))
    return cases.filter(
        Q(departement_id__in=s.coordinated_departement_ids | s.mandate_departement_ids)
        | (Q(departement_id__in=s.cell_departement_ids) & involved)
    )


def tasks_visible_to(user) -> QuerySet:
    """Tasks that are the user's, or that they may claim: in their cellules, or the mobile team's."""
    from workflows.models import TEAM_TASKS, CaseTask, TaskType

    s = scope(user)
    claimable = (
        Q(flow_task_name=TaskType.CONTACT_FAMILY, case__departement_id__in=s.family_contact_departement_ids)
        | Q(flow_task_name__in=[TaskType.NAME_REFERENT, TaskType.DECIDE_CLOSURE, TaskType.READ_TEAM_ANSWER,
                                TaskType.ANSWER_INTERVIEW], case__departement_id__in=s.coordinated_departement_ids)
    )
    visible = Q(case__departement_id__in=s.cell_departement_ids) & ~Q(flow_task_name__in=TEAM_TASKS) & (
        Q(owner_id=user.pk) | (Q(owner__isnull=True) & claimable))
    if Role.MOBILE_TEAM in s.roles:
        visible |= Q(flow_task_name__in=TEAM_TASKS) & (
            Q(owner_id=user.pk) | Q(owner__isnull=True, flow_task_name=TaskType.HANDLE_REQUEST))
    return CaseTask.objects.filter(visible)


def events_visible_to(user) -> QuerySet:
    """Audit events an inspector may review: the départements and period of each active mandate."""
    from audit.models import Event

    mandates = scope(user).mandates
    if not mandates:
        return Event.objects.none()
    allowed = Q()
    for mandate in mandates:
        allowed |= Q(departement__in=[d.code for d in mandate.departements.all()],
                     time__date__gte=mandate.starts_on, time__date__lte=mandate.ends_on)
    return Event.objects.filter(allowed)


def inspection_reads_visible_to(user) -> QuerySet:
    """What the inspection consulted in the départements the user coordinates."""
    from audit.models import Event

    codes = [m.cell.departement.code for m in scope(user).memberships if m.role == Role.COORDINATOR]
    return Event.objects.filter(actor_role=Role.INSPECTOR, departement__in=codes)


def read_only(user) -> bool:
    """Inspectors only ever read: every unsafe HTTP method is refused to them (but signing out)."""
    roles = scope(user).roles
    return Role.INSPECTOR in roles and not roles & {Role.COORDINATOR, Role.MEMBER, Role.ADMIN}


def needs_motive(user, case) -> bool:
    """Opening a case outside one's own work asks why (the "motif" of French Interior files):
    not its referent, not holding one of its open tasks, not a coordinator of its cellule.
    Inspectors give theirs automatically: the reference of their mandate."""
    s = scope(user)
    if case.departement_id in s.coordinated_departement_ids or case.referent_id == user.pk:
        return False
    if case.departement_id in s.mandate_departement_ids:
        return False
    from workflows.models import OPEN_STATUSES

    return not case.tasks.filter(owner_id=user.pk, status__in=OPEN_STATUSES).exists()


def automatic_motive(user, case) -> str:
    """The motive recorded without asking: an inspector's mandate covering the case's département."""
    for mandate in scope(user).mandates:
        if any(d.pk == case.departement_id for d in mandate.departements.all()):
            return f"Mandat d'inspection {mandate.reference}"
    return ""


def _cell_in_scope(s: Scope, cell: Cell) -> bool:
    return cell.pk in s.cell_ids or cell.departement_id in s.mandate_departement_ids


def cells_visible_to(user) -> QuerySet[Cell]:
    s = scope(user)
    cells = Cell.objects.select_related("departement")
    if Role.ADMIN in s.roles or Role.NATIONAL in s.roles:
        return cells
    return cells.filter(Q(pk__in=s.cell_ids) | Q(departement_id__in=s.mandate_departement_ids))


def memberships_visible_to(user) -> QuerySet[Membership]:
    """The composition of the cellules the user may see (admin: every membership; national: none)."""
    s = scope(user)
    memberships = Membership.objects.select_related("user", "institution", "cell__departement")
    if Role.ADMIN in s.roles:
        return memberships
    return memberships.filter(Q(cell_id__in=s.cell_ids) | Q(cell__departement_id__in=s.mandate_departement_ids))


class MembershipBackend(ModelBackend):
    """Django permissions come only from the groups of the user's active roles.

    Direct user permissions and the superuser flag grant nothing: a right follows a membership,
    and ends with it.
    """

    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_membership_perm_cache"):
            groups = [group_name(role) for role in scope(user_obj).roles]
            perms = Permission.objects.filter(group__name__in=groups).values_list("content_type__app_label", "codename")
            user_obj._membership_perm_cache = {f"{app}.{code}" for app, code in perms}
        return user_obj._membership_perm_cache


def get_or_404(user, action: Action, queryset: QuerySet, **lookup):
    """The object of ``queryset`` matching ``lookup`` if the user may ``action`` it, else 404.

    An object that exists but lies outside the user's scope answers 404 like a missing one (its
    existence is not revealed) and the attempt is recorded as ``access.denied``.
    """
    import audit

    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404("Page introuvable.")
    if not can(user, action, obj):
        audit.record_denied(AccessDenied(user, action, obj))
        raise Http404("Page introuvable.")
    return obj
