"""What every case entry point does: lock the case, check the policy and the state, record."""

from django.core.exceptions import ValidationError
from django_fsm import can_proceed

import audit
from cases.models import Case, State
from organisation import policy
from organisation.errors import ActionRefused
from organisation.models import Role

CLOSED_MESSAGE = "Le signalement {reference} est clôturé : rouvrez-le d'abord."


def lock(case: Case) -> Case:
    """The case re-read under a row lock: whoever acts second sees the first one's change.

    Callers are inside ``transaction.atomic()``; the lock is held until it commits. A stale copy that
    bypassed this would still fail on save (``ConcurrentTransitionMixin``). The process comes with it
    for ``workflows.tasks.sync``: only the case's row is locked, the process has viewflow's own lock.
    """
    return (
        Case.objects.select_related("departement__cell", "referent", "process")
        .select_for_update(of=("self",))
        .get(pk=case.pk)
    )


def check_transition(actor, case: Case, name: str, permission: str | None = None) -> None:
    """The policy first (no right, no information), then the state. ``permission`` narrows who
    may do it here when the transition has several doers (BRIEF §3: "mobile team done")."""
    policy.require(actor, permission or name, case)
    if not can_proceed(getattr(case, name)):
        raise ActionRefused(
            f"Action impossible : le signalement {case.reference} est à l'état « {case.get_state_display()} »."
        )


def check_open(actor, action: str, case: Case) -> None:
    policy.require(actor, action, case)
    if case.state == State.CLOSED:
        raise ActionRefused(CLOSED_MESSAGE.format(reference=case.reference))


def validate(instance, exclude: list[str] | None = None) -> None:
    """Model validation; a ``ValidationError`` carries the French message per field.

    A protected state field is never cleaned: only its transitions may set it. A foreign key given as
    an object read from the database (the locked case, the actor, a choice of the form) is not
    looked up again: its constraint in the database still stands behind it.
    """
    fields = instance._meta.concrete_fields
    protected = [f.name for f in fields if getattr(f, "protected", False)]
    known = [f.name for f in fields if f.is_relation and _read_from_database(instance, f)]
    instance.full_clean(exclude=[*(exclude or []), *protected, *known])


def _read_from_database(instance, field) -> bool:
    related = field.get_cached_value(instance, default=None)
    return related is not None and related.pk is not None and not related._state.adding


def require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def record(action: str, actor, case: Case, **details) -> None:
    audit.record(action, obj=case, actor=actor, departement=case.departement.code,
                 details={"signalement": case.reference, **details})


def record_transition(name: str, actor, case: Case, before: str, **details) -> None:
    record(f"case.{name}", actor, case, **{"de": before, "vers": case.state}, **details)


def require_cell_member(case: Case, user) -> None:
    """A referent is an active member or coordinator of the case's cellule."""
    if user is None or not case.departement.cell.memberships.active().filter(
            user=user, role__in=Role.cell_roles()).exists():
        raise ValidationError({"referent": "Le référent doit être membre de la cellule du département."})


def person(user) -> str | None:
    """How the trail names a user: full name and login, readable and unambiguous."""
    return f"{user.get_full_name()} ({user.get_username()})" if user else None
