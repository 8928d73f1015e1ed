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
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases.models import Cell, Departement, Mandate, Membership, Role
from cases.roles import group_name

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


CELL_ACTIONS = {Action.VIEW_CELL, Action.VIEW_COMPOSITION, Action.MANAGE_MEMBERSHIPS}


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
        cells = {m.cell.departement_id for m in self.memberships if m.cell_id}
        return frozenset(cells) | self.mandate_departement_ids


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


def forget(user) -> None:
    """Drop what was cached on the user object after their memberships changed."""
    for name in ("_policy_scope", "_membership_perm_cache", "_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(name, None)


def can(user, action: Action, target=None) -> bool:
    if user is SYSTEM:
        return True
    if action in CELL_ACTIONS and not isinstance(target, Cell):
        return False
    s = scope(user)
    match action:
        case Action.VIEW_CELL:
            return Role.ADMIN in s.roles or Role.NATIONAL in s.roles or _cell_in_scope(s, target)
        case Action.VIEW_COMPOSITION:
            return Role.ADMIN in s.roles or _cell_in_scope(s, target)
        case Action.MANAGE_MEMBERSHIPS:
            return Role.ADMIN in s.roles or target.pk in s.coordinated_cell_ids
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
