"""The entry points of retention: legal holds, the erasure of an expired case, and the answers to
the people concerned (the export of what is held about them, its rectification).

Each checks the policy, validates, writes and records its event in one transaction, the case
locked (``cases.actions.base.lock``) so that a hold and the purge of the same case never cross.
"""

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from cases import actions as cases_actions
from cases import attachments
from cases.actions.base import Check, lock, record, require_text, runs, validate
from cases.models import Case, Person, Relative, State
from organisation import policy
from organisation.errors import ActionRefused
from organisation.policy import Actor
from retention import access, history, purge
from retention.models import Erasure, LegalHold
from retention.periods import expired
from retention.rules import RetentionRight
from ui import statements

ERASED_MESSAGE = "Les données personnelles du signalement {reference} ont été effacées le {on:%d/%m/%Y}."


def active_hold(case: Case) -> LegalHold | None:
    """The case's hold in force, read once per case object (``Case.read_once``): the case page's two hold
    actions and its panel all ask."""
    return case.read_once("active_hold", lambda: next(iter(statements.of("active hold of a case", lambda pk: (
        LegalHold.objects.filter(case_id=pk, lifted_at__isnull=True)[:1]), case.pk, known={"case": case})), None))


def erasure(case: Case) -> Erasure | None:
    """The erasure of the case's personal data, if the purge erased them, read once per case object: the
    hold's action and the case page's panel both ask."""
    return case.read_once("erasure", lambda: next(iter(statements.of("erasure of a case", lambda pk: (
        Erasure.objects.filter(case_id=pk).order_by("pk")[:1]), case.pk, known={"case": case})), None))


def _holdable(case: Case) -> str:
    """A hold keeps a case past its retention period, which runs from its closure: it is placed on a
    closed case whose data the purge has not erased, one at a time."""
    if case.state != State.CLOSED:
        return f"le signalement {case.reference} est en cours : un gel se pose sur un signalement clôturé"
    if erasure(case) is not None:
        return f"les données personnelles du signalement {case.reference} ont été effacées"
    if active_hold(case) is not None:
        return f"le signalement {case.reference} est déjà sous gel de conservation"
    return ""


PLACE_HOLD = Check("Poser un gel de conservation", RetentionRight.HOLD, closed=True, when=_holdable)
LIFT_HOLD = Check("Lever le gel de conservation", RetentionRight.HOLD, closed=True, when=lambda case: "" if (
    active_hold(case) is not None) else (
    f"le signalement {case.reference} n'est sous aucun gel de conservation"))


def _check_not_erased(case: Case) -> None:
    erased = Erasure.objects.filter(case=case).first()  # asked afresh: a write's own check
    if erased is not None:
        raise ActionRefused(ERASED_MESSAGE.format(reference=case.reference, on=timezone.localtime(erased.erased_at)))


@runs(PLACE_HOLD)
def place_hold(actor: User, case: Case, *, reason: str) -> LegalHold:
    """Keep the case past its retention period until the hold is lifted (one hold at a time)."""
    reason = require_text(reason, "reason", "Indiquez le motif du gel (par exemple la réquisition reçue).")
    with transaction.atomic():
        case = lock(case)
        PLACE_HOLD.require(actor, case)
        hold = LegalHold.objects.create(case=case, reason=reason[:500], placed_by=actor)
        record("retention.hold_place", actor, case, gel=hold.pk)
    return hold


@runs(LIFT_HOLD)
def lift_hold(actor: User, case: Case, *, reason: str) -> LegalHold:
    """End the case's hold: the purge treats it again by its retention period."""
    reason = require_text(reason, "lift_reason", "Indiquez le motif de la levée du gel.")
    with transaction.atomic():
        case = lock(case)
        LIFT_HOLD.require(actor, case)
        hold = case.legal_holds.select_for_update().filter(lifted_at__isnull=True).get()
        hold.lifted_by, hold.lifted_at, hold.lift_reason = actor, timezone.now(), reason[:500]
        hold.save()
        record("retention.hold_lift", actor, case, gel=hold.pk)
    return hold


def erase(actor: Actor, case: Case, today: datetime.date) -> dict[str, int] | None:
    """Erase the personal data of an expired case (``retention.purge``) and of its history
    (``retention.history``), and record it: one event per case. ``None`` if the case is not (or no
    longer) expired on ``today``: erased meanwhile, put under a hold, reopened."""
    with transaction.atomic():
        case = lock(case)
        policy.require(actor, RetentionRight.ERASE, case)
        current = expired(today).filter(pk=case.pk).first()
        if current is None:
            return None
        rule = Erasure.Rule.NOT_RELEVANT if current.not_relevant else Erasure.Rule.CLOSED
        counts, files = purge.erase_live(case)
        Erasure.objects.create(case=case, rule=rule)
        record("retention.erase", actor, case, règle=rule, effacés=counts)
        history.erase_history(case.pk)
        transaction.on_commit(lambda: attachments.remove(files))
    return counts


RECTIFIABLE = {
    Person: ["last_name", "first_name", "birth_date", "sex", "commune", "address", "situation"],
    Relative: ["relation", "last_name", "first_name", "phone", "email", "address", "parental_authority"],
}


def export_person(actor: Actor, case: Case, person: Person | Relative) -> bytes:
    """The ZIP of everything held about ``person`` (``retention.access``), its making recorded."""
    with transaction.atomic():
        policy.require(actor, RetentionRight.ANSWER, case)
        _check_not_erased(case)
        content = access.archive(case, person)
        record("retention.export", actor, case, personne=access.who(person))
    return content


def rectify(actor: Actor, case: Case, person: Person | Relative, **fields: Any) -> Person | Relative:
    """Correct what is held about a person at their request. An open case goes through the case's own
    entry points (``edit_person``, ``save_relative``); a closed one, not yet erased, through this one,
    for its coordinators: the trail names the fields changed, the history keeps the values."""
    fields = {name: value for name, value in fields.items() if name in RECTIFIABLE[type(person)]}
    if case.is_open:
        if isinstance(person, Person):
            return cases_actions.edit_person(actor, case, **fields)
        return cases_actions.save_relative(actor, case, person, **fields)
    with transaction.atomic():
        case = lock(case)
        policy.require(actor, RetentionRight.ANSWER, case)
        _check_not_erased(case)
        about = {"cases": case} if isinstance(person, Person) else {"family__young_people__cases": case}
        person = type(person).objects.select_for_update().get(pk=person.pk, **about)
        changed = sorted(name for name, value in fields.items() if getattr(person, name) != value)
        for name in changed:
            setattr(person, name, fields[name])
        validate(person)
        if changed:
            person.save()
            record("retention.rectify", actor, case, personne=access.who(person), champs=changed)
    return person
