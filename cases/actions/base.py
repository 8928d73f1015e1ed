"""What every case entry point does: lock the case, run its one check (policy and state), record."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ParamSpec, Protocol, TypeVar, cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.fields.related import RelatedField
from django.utils import timezone
from django_fsm import can_proceed

import audit
from cases.models import Case, State
from organisation import policy
from organisation.errors import ActionRefused
from organisation.models import Role
from organisation.policy import AccessDenied, Actor
from workflows import flows, notifications

CLOSED_MESSAGE = "Le signalement {reference} est clôturé : rouvrez-le d'abord."


def lock(case: Case, **facts: Any) -> Case:
    """The case re-read under a row lock: whoever acts second sees the first one's change.

    Callers are inside ``transaction.atomic()`` (``changing``); the lock is held until it commits. A
    stale copy that bypassed this would still fail on save (``ConcurrentTransitionMixin``). The process
    comes with it for ``workflows.tasks.sync``, its row locked by the same statement: viewflow's lock
    on it (``workflows.flows.ProcessRowLock``), which a claim takes alone, is then not asked again.
    The référent's choice of e-mail comes too, for the task a transition gives them
    (``workflows.notifications.knows``), and ``facts``: what the caller needs of the case under the lock.
    """
    # Typed here: the case's model stands on django_fsm's untyped mixin, which mypy reads as Any.
    # The process is joined, not outer-joined (every case has one): the nullable side of an outer
    # join cannot be locked.
    locked: Case = (
        Case.objects.select_related("departement__cell", "referent", "process")
        .filter(process__isnull=False)
        .annotate(referent_email_choice=notifications.email_choice("referent"), **facts)
        .select_for_update(of=("self", "process"))
        .get(pk=case.pk)
    )
    flows.hold(locked.process.pk)
    if locked.referent_id is not None:
        choice = locked.referent_email_choice  # type: ignore[attr-defined]  # annotated above
        notifications.knows(locked, {locked.referent_id: choice})
    return locked


@contextmanager
def changing() -> Iterator[None]:
    """An entry point's one transaction, the events it records written together at its end
    (``audit.batched``): an exception before then leaves neither its change nor its events."""
    with transaction.atomic(), audit.batched():
        yield


@dataclass(frozen=True)
class Check:
    """The one precondition of an action on a case (wagtail's ``check()``): may this person do it to
    this case now, and if not, why, in French. The entry point runs it under the case's lock
    (``require``); the case page's button, the action's page and the task that leads there ask the
    same (``refusal``), so that what is offered is what will be done.

    ``right`` is the access policy's (named apart from the transition); ``transition`` the state
    machine's, whose source states the action needs; ``when(case)`` says why else the case's state
    refuses it ("" when it does not); an action without a transition is refused on a closed case
    unless ``closed``."""

    title: str
    right: str
    transition: str = ""
    when: Callable[[Case], str] | None = None
    closed: bool = False

    def refusal(self, user: Actor, case: Case, *, reads_case: bool = False) -> AccessDenied | ActionRefused | None:
        """What refuses the action, or None. The right first (no right, no information), unless the
        caller knows the person reads the case: then the state, the real cause, first."""
        first, then = (self.state_refusal, self.right_refusal) if reads_case else (self.right_refusal,
                                                                                      self.state_refusal)
        return first(user, case) or then(user, case)

    def require(self, user: Actor, case: Case) -> None:
        if (refused := self.refusal(user, case)) is not None:
            raise refused

    def right_refusal(self, user: Actor, case: Case) -> AccessDenied | None:
        return None if policy.can(user, self.right, case) else AccessDenied(user, self.right, case)

    def state_refusal(self, user: Actor, case: Case) -> ActionRefused | None:
        why = ""
        if self.transition and not can_proceed(getattr(case, self.transition)):
            why = f"le signalement {case.reference} est à l'état « {case.get_state_display()} »"
        elif not self.transition and not self.closed and case.state == State.CLOSED:
            why = f"le signalement {case.reference} est clôturé : rouvrez-le d'abord"
        elif self.when is not None:
            why = self.when(case)
        return ActionRefused(f"« {self.title} » n'est pas possible : {why}.") if why else None


P = ParamSpec("P")
R_co = TypeVar("R_co", covariant=True)


class EntryPoint(Protocol[P, R_co]):
    """An entry point that says which check it runs (``runs``)."""

    check: Check

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R_co: ...


def runs(check: Check) -> Callable[[Callable[P, R_co]], EntryPoint[P, R_co]]:
    """Expose the check an entry point runs (``entry_point.check``), for the pages that offer it."""

    def expose(entry_point: Callable[P, R_co]) -> EntryPoint[P, R_co]:
        exposed = cast(EntryPoint[P, R_co], entry_point)  # a function: it takes the attribute
        exposed.check = check
        return exposed

    return expose


def validate(instance: models.Model, exclude: list[str] | None = None) -> None:
    """Model validation; a ``ValidationError`` carries the French message per field.

    A protected state field is never cleaned: only its transitions may set it. A foreign key given as
    an object read from the database (the locked case, the actor, a choice of the form) is not
    looked up again: its constraint in the database still stands behind it.
    """
    fields = instance._meta.concrete_fields
    protected = [f.name for f in fields if getattr(f, "protected", False)]
    known = [f.name for f in fields if f.is_relation and _read_from_database(instance, f)]
    instance.full_clean(exclude=[*(exclude or []), *protected, *known])


def _read_from_database(instance: models.Model, field: "models.Field[Any, Any]") -> bool:
    # ``validate`` asks of relations only.
    related = cast("RelatedField[Any, Any]", field).get_cached_value(instance, default=None)
    return related is not None and related.pk is not None and not related._state.adding


def require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def touch(case: Case) -> None:
    """The case changed now (its own row or one of its records): the case list and page mark it to
    whoever opened it before (``cases.models.visits``). Every change of a case is recorded, by ``record``;
    an entry point that records several events on the case it locked writes the time once."""
    if getattr(case, "_touched", False):
        return
    case.changed_at = timezone.now()
    Case.objects.filter(pk=case.pk).update(changed_at=case.changed_at)
    case._touched = True  # type: ignore[attr-defined]  # this copy of the case, for this entry point


def save_case(case: Case) -> None:
    """Save the locked case with its time of change: the events its entry point records write it no
    more (``touch``)."""
    if not getattr(case, "_touched", False):
        case.changed_at = timezone.now()
        case._touched = True  # type: ignore[attr-defined]  # as touch
    case.save()


def saved_later(case: Case) -> None:
    """The entry point will save the locked case (``save_case``) after recording events on it: its time of
    change is written then, with its row, not before by ``touch``."""
    case.changed_at = timezone.now()
    case._touched = True  # type: ignore[attr-defined]  # as touch


def record(action: str, actor: Actor, case: Case, **details: object) -> None:
    touch(case)
    audit.record(action, obj=case, actor=actor, departement=case.departement.code,
                 details={"signalement": case.reference, **details})


def record_transition(name: str, actor: Actor, case: Case, before: str, **details: object) -> None:
    record(f"case.{name}", actor, case, **{"de": before, "vers": case.state}, **details)


def require_cell_member(case: Case, user: User | None) -> None:
    """A referent is an active member or coordinator of the case's cellule; their choice of e-mail is
    read with it, for the notifications that name them (``workflows.notifications.knows``)."""
    found = [] if user is None else list(case.departement.cell.memberships.active().filter(
        user=user, role__in=Role.cell_roles()).values_list(notifications.email_choice("user"))[:1])
    if user is None or not found:
        raise ValidationError({"referent": "Le référent doit être membre de la cellule du département."})
    notifications.knows(case, {user.pk: found[0][0]})


def person(user: User | None) -> str | None:
    """How the trail names a user: full name and login, readable and unambiguous."""
    return f"{user.get_full_name()} ({user.get_username()})" if user else None
