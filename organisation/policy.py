"""The access policy: the one place that decides who may see or do what.

Everything a user may see or do follows from their *active* memberships (and, for inspectors,
their active mandates) on the day of the request: ``scope(user)``. Each concern declares its rights
and the rule that decides each one next to its models (``<app>/rules.py``, registered with
``@rule`` when the app is ready); ``can()`` and ``require()`` are the only ways to ask. Views,
commands, the admin and later the API ask here; none of them decides by itself. A user without an
active membership sees nothing.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypeVar

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Model, OuterRef, QuerySet, Subquery, prefetch_related_objects
from django.http import Http404
from django.utils import timezone

import audit
from audit import recorder
from audit.recorder import RecordedDenial
from organisation.models import Cell, Mandate, Membership, Role
from ui import statements

# When a user holds several memberships, the first role in this order speaks for them in the
# header and in the audit trail.
ROLE_PRECEDENCE: list[str] = [Role.ADMIN, Role.NATIONAL, Role.INSPECTOR, Role.MOBILE_TEAM, Role.COORDINATOR,
                              Role.MEMBER]


class AccessDenied(RecordedDenial):
    """A user asked for something the policy refuses; recorded as ``access.denied``."""

    def __init__(self, user: "Principal", action: str, target: object = None) -> None:
        super().__init__(user, action, target, "Vous n'avez pas les droits nécessaires pour cette action.")


class _System:
    """The operator running a management command on the server: every organisation right.

    Recorded in the trail as no user, with the command's label (``audit.acting(label=...)``).
    """

    is_authenticated = False
    is_active = True

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _System()

Actor: TypeAlias = User | AnonymousUser | _System
"""Who acts: a signed-in user, an anonymous visitor (refused everything), or the operator's command (SYSTEM).
A function that needs a person (an assignment, a membership) takes ``User`` instead."""
Principal: TypeAlias = recorder.Actor
"""Whom the policy is asked about: an actor, or a kind of principal a higher app declares with its rules
(the intake API's service accounts); the trail records any of them."""

M = TypeVar("M", bound=Model)


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
    def key(self) -> tuple:
        """Everything the scope holds, as a value: each membership's fields and its cellule's département,
        each mandate's fields and départements. Two scopes of one key open the same things, so that what
        is built from a scope may be kept under its key (``ui.statements``)."""
        return (tuple((*_fields(m), m.cell.departement_id if m.cell is not None else None) for m in self.memberships),
                tuple((*_fields(m), *sorted(d.pk for d in m.departements.all())) for m in self.mandates))

    @property
    def departement_ids(self) -> frozenset[int]:
        """Départements whose nominative data the user may see."""
        return self.cell_departement_ids | self.mandate_departement_ids

    @property
    def cell_departement_ids(self) -> frozenset[int]:
        """Départements of the cellules the user works in (coordinator or member)."""
        return frozenset(m.cell.departement_id for m in self.memberships if m.cell is not None)

    @property
    def coordinated_departement_ids(self) -> frozenset[int]:
        return frozenset(m.cell.departement_id for m in self.memberships
                         if m.role == Role.COORDINATOR and m.cell is not None)

    @property
    def family_contact_departement_ids(self) -> frozenset[int]:
        """Where the user may take family-contact tasks: coordinators, and the members designated."""
        designated = {m.cell.departement_id for m in self.memberships if m.cell is not None and m.contacts_families}
        return self.coordinated_departement_ids | designated


def _fields(row: Model) -> tuple:
    return tuple(getattr(row, field.attname) for field in row._meta.concrete_fields)


def scope(user: Principal, at: datetime.date | None = None) -> Scope:
    """The user's scope on a day (today by default), cached on the user object for today. Whoever is
    no signed-in user (an anonymous visitor, the system, a service account) reaches nothing by it."""
    # Only a user says it is signed in (``is_authenticated``): the isinstance is that test, typed.
    if not isinstance(user, User) or not user.is_active:
        return Scope()
    cacheable = at is None
    cached = user.__dict__.get("_policy_scope")
    if cacheable and isinstance(cached, Scope):
        return cached
    at = at or timezone.localdate()
    # Their statements compiled once per worker and day (``ui.statements.of``): an inspector's scope, never
    # kept with the session (``session_scope``), is read at each of their requests.
    memberships = tuple(statements.of(("scope's memberships", at), lambda pk: Membership.objects.active(at).filter(
        user_id=pk).select_related("cell__departement", "institution"), user.pk))
    roles = frozenset(m.role for m in memberships)
    mandates: tuple[Mandate, ...] = ()
    if Role.INSPECTOR in roles:
        held = statements.of(("scope's mandates", at), lambda pk: Mandate.objects.active(at).filter(inspector_id=pk),
                             user.pk)
        prefetch_related_objects(held, "departements")
        mandates = tuple(held)
    result = Scope(
        memberships=memberships,
        mandates=mandates,
        roles=roles,
        cell_ids=frozenset(m.cell_id for m in memberships if m.cell_id),
        coordinated_cell_ids=frozenset(m.cell_id for m in memberships if m.role == Role.COORDINATOR),
        mandate_departement_ids=frozenset(d.pk for mandate in mandates for d in mandate.departements.all()),
    )
    if cacheable:
        user.__dict__["_policy_scope"] = result
    return result


def user_id(user: Principal) -> int | None:
    """The id of the signed-in user asked about, None for anyone else (an anonymous visitor, the system, a
    service account): what a rule compares with an author, an owner, a référent."""
    return user.pk if isinstance(user, User) else None


def audit_actor(user: Actor) -> tuple[str, str]:
    """The role and the cellule (département code) the trail records for an actor
    (``settings.AUDIT_ACTOR``): those of the membership that speaks for them."""
    primary = scope(user).primary
    if primary is None:
        return "", ""
    return primary.role, primary.cell.departement.code if primary.cell is not None else ""


def coordinated_cell(user: Actor, action: str) -> Cell:
    """The cellule the user coordinates, for pages that work on "my cellule"; refused otherwise."""
    s = scope(user)
    cell = next((m.cell for m in s.memberships if m.cell_id in s.coordinated_cell_ids), None)
    if cell is None:
        raise AccessDenied(user, action)
    return cell


def forget(user: Actor) -> None:
    """Drop what was cached on the user object after their memberships changed."""
    for name in ("_policy_scope", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(name, None)


def read_only(user: Actor) -> bool:
    """Inspectors only ever read: every unsafe HTTP method is refused to them (but signing out)."""
    roles = scope(user).roles
    return Role.INSPECTOR in roles and not roles & {Role.COORDINATOR, Role.MEMBER, Role.ADMIN}


# --- the rules registry -----------------------------------------------------------------------

Rule = Callable[[Principal, str, Any], bool]
_RULES: dict[str, Rule] = {}


def rule(*rights: str) -> Callable[[Rule], Rule]:
    """Declare the rule that decides ``rights``: ``predicate(user, right, target) -> bool``.

    A right has exactly one rule: declaring it twice is a configuration error, not an override.
    """

    def register(predicate: Rule) -> Rule:
        for right in rights:
            if right in _RULES:
                raise ImproperlyConfigured(f"Le droit « {right} » a déjà sa règle : {_RULES[right].__qualname__}.")
            _RULES[right] = predicate
        return predicate

    return register


def rights() -> set[str]:
    """Every right a rule decides."""
    return set(_RULES)


def can(user: Principal, action: str, target: object = None) -> bool:
    if user is SYSTEM:
        return True
    try:
        predicate = _RULES[action]
    except KeyError:
        raise ValueError(f"Action inconnue : {action}") from None
    return predicate(user, action, target)


def require(user: Principal, action: str, target: object = None) -> None:
    """Raise ``AccessDenied`` unless ``can(user, action, target)``."""
    if not can(user, action, target):
        raise AccessDenied(user, action, target)


def get_or_404(user: Actor, action: str | tuple[str, ...], queryset: QuerySet[M], **lookup: Any) -> M:
    """The object of ``queryset`` matching ``lookup`` if the user may ``action`` it (one of them,
    for a tuple), else 404.

    An object that exists but lies outside the user's scope answers 404 like a missing one (its
    existence is not revealed) and the attempt is recorded as ``access.denied``.
    """
    return found_or_404(user, action, queryset.filter(**lookup).first())


def found_or_404(user: Actor, action: str | tuple[str, ...], obj: M | None) -> M:
    """``obj``, read by the caller, if there is one and the user may ``action`` it, else 404 (``get_or_404``)."""
    actions = action if isinstance(action, tuple) else (action,)
    if obj is None:
        raise Http404("Page introuvable.")
    if not any(can(user, one, obj) for one in actions):
        audit.record_denied(AccessDenied(user, actions[0], obj))
        raise Http404("Page introuvable.")
    return obj


def _user_with_version(user_id: Any, today: datetime.date) -> QuerySet[User]:
    mine = Membership.objects.filter(user=OuterRef("pk")).order_by()
    latest = Membership.history.filter(user_id=OuterRef("pk")).order_by("-history_id").values("history_id")[:1]
    active = mine.active(today).values("user").annotate(n=Count("pk")).values("n")[:1]
    return User._default_manager.annotate(scope_change=Subquery(latest), scope_active=Subquery(active)).filter(
        pk=user_id).order_by("pk")[:1]


class PolicyBackend(ModelBackend):
    """Signs users in; grants no Django permission of its own.

    Rights come from the policy alone: the admin site asks it (``project.admin``), viewflow's
    task permissions are not used, and neither direct permissions, groups nor the superuser flag
    open anything a membership does not.
    """

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in user, read with the version of their memberships in the same query (the last
        change recorded in their history, and how many are active today), so that the scope kept with
        their session is reused until a membership changes (``organisation.session_scope``).
        The statement, compiled once per user and day (``ui.statements``), is read at every request.
        """
        today = timezone.localdate()
        sql, params = statements.compiled(("signed-in user", user_id, today),
                                          lambda: _user_with_version(user_id, today))
        user = next(iter(User._default_manager.raw(sql, params)), None)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj: Any, obj: object = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: object = None) -> set[str]:
        return set()
