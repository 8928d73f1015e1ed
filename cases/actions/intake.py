"""Intake of a signalement (and of a transferred one, ``cases.actions.transfer``), and a further
signalement about the young person of a case already followed (``add_signalement``).

Whether the young person is already followed is for the caller to ask first (``cases.matching``):
the form shows the candidates, the API links a certain match.
"""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.actions.base import CLOSED_MESSAGE, lock, record, validate
from cases.models import Case, CaseCounter, CaseSignalement, Family, Person, Relative, State
from cases.notifications import notify_signalement
from cases.rules import CaseRight
from organisation import policy
from organisation.errors import ActionRefused
from organisation.models import Cell, Departement
from organisation.policy import Actor
from workflows import tasks


def intake(actor: Actor, cell: Cell, *, source: str, received_on: datetime.date, facts: str,
           orientation_note: str = "", person: dict[str, Any] | Person, relatives: Sequence[dict[str, Any]] = (),
           family: Family | None = None, source_reference: str = "", dismissed: Sequence[str] = (),
           tasks_from: datetime.date | None = None) -> Case:
    """Register a signalement in the cellule's département: the case, its young person, relatives.
    ``person``: the young person's details, or the record of a young person the département already
    follows (a new case on the same person, their earlier cases kept apart).
    ``family``: for a new young person, the family of a brother or sister already followed, which the
    user may see; else the young person's own new family. A relative typed who is already one of the
    family's (``Relative.same_as``) is not recorded twice: the blanks of their record are filled in.
    ``source_reference``: the source's own file number (the CNAPR's), by which a retried call is known.
    ``dismissed``: the references of the cases the user was shown as possibly the same young person
    and judged another person (``cases.matching``), kept in the trail with the intake.
    ``tasks_from``: the day its tasks are due from, when not its receipt (an import's: today)."""
    policy.require(actor, CaseRight.INTAKE, cell)
    _check_received_on(received_on)
    # Typed here: the case's model stands on django_fsm's untyped mixin, which mypy reads as Any.
    case: Case = Case(departement=cell.departement, source=source, received_on=received_on, facts=facts,
                      orientation_note=orientation_note, source_reference=(source_reference or "").strip())
    validate(case, exclude=["reference", "year", "number", "departement", "person"])
    young = _young(actor, cell, person, received_on, family)
    proches = [Relative(**values) for values in relatives]
    for relative in proches:
        validate(relative, exclude=["family"])
    with transaction.atomic():
        known, sibling = young.pk is not None, young.family.pk is not None
        completed = create(case, young, proches, tasks_from=tasks_from)
        record("case.intake", actor, case, origine=case.source, proches=len(proches),
               **({"proches_complétés": completed} if completed else {}),
               **({"jeune_déjà_suivi": young.pk} if known else {"famille": young.family_id} if sibling else {}),
               **({"doublons_écartés": list(dismissed)} if dismissed else {}))
    return case


def _young(actor: Actor, cell: Cell, person: dict[str, Any] | Person, received_on: datetime.date,
           family: Family | None) -> Person:
    """The new case's young person: a new record, checked, in the family given or a new one; or one the
    actor may see in the cellule's département (a young person or a family of another one is refused
    as if unknown)."""
    if isinstance(person, Person):
        if person.departement_id != cell.departement_id or not _follows(actor, person.cases.all()):
            raise ValidationError("Ce jeune n'est pas suivi par votre cellule.")
        if family is not None and family.pk != person.family_id:
            raise ValidationError("Ce jeune est déjà d'une autre famille : ouvrez son dossier sans choisir de famille.")
        young = person
    else:
        if family is not None and (family.departement_id != cell.departement_id
                                   or not _follows(actor, Case.objects.filter(person__family=family))):
            raise ValidationError("Cette famille n'est pas suivie par votre cellule.")
        young = Person(departement=cell.departement, family=family or Family(departement=cell.departement), **person)
        validate(young, exclude=["family"])
    young.check_age_at(received_on)
    return young


def _follows(actor: Actor, cases: Iterable[Case]) -> bool:
    return any(policy.can(actor, CaseRight.VIEW_CASE, case) for case in cases)


def add_signalement(actor: Actor, case: Case, *, source: str, received_on: datetime.date, facts: str,
                    orientation_note: str = "", source_reference: str = "") -> CaseSignalement:
    """Record a further signalement on a case already followed, for the same young person: who may
    intake in the case's cellule may; a closed case is reopened first. Its référent (the
    coordinators while it has none) is told by e-mail, without the young person's name."""
    policy.require(actor, CaseRight.INTAKE, case.departement.cell)
    _check_received_on(received_on)
    signalement = CaseSignalement(case=case, source=source, received_on=received_on, facts=facts,
                                  orientation_note=orientation_note,
                                  # a user, the anonymous being refused above
                                  recorded_by=None if actor is policy.SYSTEM else cast(User, actor),
                                  source_reference=(source_reference or "").strip())
    validate(signalement, exclude=["case"])
    with transaction.atomic():
        case = lock(case)
        if case.state == State.CLOSED:
            raise ActionRefused(CLOSED_MESSAGE.format(reference=case.reference))
        signalement.case = case
        signalement.save()
        record("case.signalement_add", actor, case, origine=source, reçu=received_on.isoformat())
        notify_signalement(signalement)
    return signalement


def _check_received_on(received_on: datetime.date | None) -> None:
    if received_on and received_on > timezone.localdate():
        raise ValidationError({"received_on": "La date de réception ne peut pas être dans le futur."})


def create(case: Case, person: Person, relatives: list[Relative], *,
           tasks_from: datetime.date | None = None) -> list[int]:
    """Number the case in its reception year (a signalement received last year and entered now keeps
    that year's reference), save it with its young person, their family and its relatives, and open
    its tasks. The relatives already in the family whose record was completed (``_join``)."""
    case.year = case.received_on.year
    case.number = _next_number(case.departement, case.year)
    case.reference = f"{case.departement.code}-{case.year}-{case.number:04d}"
    if person.family.pk is None:
        person.family.save()
    if person.pk is None:
        person.save()
    # A known record, locked until the case is saved: a merge of it at once waits, then moves this case too.
    elif Person.objects.select_for_update().values_list("merged_into", flat=True).get(pk=person.pk) is not None:
        raise ActionRefused("Ce jeune a été fusionné avec une autre fiche : ouvrez le signalement sur celle-ci.")
    case.person = person
    case.save()
    completed = _join(person.family, relatives)
    tasks.start(case, counted_from=tasks_from)
    return completed


def _join(family: Family, relatives: list[Relative]) -> list[int]:
    """The relatives into the family: one already in it keeps their record, its blanks filled in (those
    completed are returned)."""
    known, completed = list(family.relatives.select_for_update()), []
    for relative in relatives:
        same = next((member for member in known if member.same_as(relative)), None)
        if same is None:
            relative.family = family
            relative.save()
            known.append(relative)
            continue
        blanks = [name for name in ("phone", "email", "address") if not getattr(same, name) and getattr(relative, name)]
        for name in blanks:
            setattr(same, name, getattr(relative, name))
        if blanks:
            same.save(update_fields=blanks)
            completed.append(same.pk)
    return completed


def _next_number(departement: Departement, year: int) -> int:
    """The next number of the département's year, without gaps or duplicates under concurrency:
    the counter row stays locked until the intake commits, and rolls back with it."""
    CaseCounter.objects.get_or_create(departement=departement, year=year)
    counter = CaseCounter.objects.select_for_update().get(departement=departement, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last
