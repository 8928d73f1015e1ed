"""Intake of a signalement, and its transfer to another département."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.actions.base import check_transition, lock, record, record_transition, require_text, validate
from cases.actions.records import end_open_measures
from cases.models import CareMeasure, Case, CaseCounter, ClosureReason, Person, Relative
from cases.rules import CaseRight
from cases.signals import case_closing
from organisation import policy
from organisation.errors import ActionRefused
from organisation.models import Cell, Departement
from workflows import tasks


def intake(actor, cell: Cell, *, source: str, received_on: datetime.date, facts: str, orientation_note: str = "",
           person: dict, relatives: list[dict] = ()) -> Case:
    """Register a signalement in the cellule's département: the case, its young person, relatives."""
    policy.require(actor, CaseRight.INTAKE, cell)
    if received_on and received_on > timezone.localdate():
        raise ValidationError({"received_on": "La date de réception ne peut pas être dans le futur."})
    case = Case(departement=cell.departement, source=source, received_on=received_on, facts=facts,
                orientation_note=orientation_note)
    validate(case, exclude=["reference", "year", "number", "departement"])
    young = Person(case=case, **person)
    validate(young, exclude=["case"])
    proches = [Relative(**values) for values in relatives]
    for relative in proches:
        validate(relative, exclude=["case"])
    with transaction.atomic():
        _create(case, young, proches)
        record("case.intake", actor, case, origine=case.source, proches=len(proches))
    return case


def _create(case: Case, person: Person, relatives: list[Relative]) -> Case:
    case.year = timezone.localdate().year
    case.number = _next_number(case.departement, case.year)
    case.reference = f"{case.departement.code}-{case.year}-{case.number:04d}"
    case.save()
    person.case = case
    person.save()
    for relative in relatives:
        relative.case = case
        relative.save()
    tasks.start(case)
    return case


def _next_number(departement: Departement, year: int) -> int:
    """The next number of the département's year, without gaps or duplicates under concurrency:
    the counter row stays locked until the intake commits, and rolls back with it."""
    CaseCounter.objects.get_or_create(departement=departement, year=year)
    counter = CaseCounter.objects.select_for_update().get(departement=departement, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def transfer(actor, case: Case, *, destination: Departement, note: str) -> Case:
    """Close the case here and open a received case, linked to it, in the destination département."""
    note = require_text(note, "note", "Indiquez le motif du transfert.")
    with transaction.atomic():
        case = lock(case)
        check_transition(actor, case, "transfer")
        if destination.pk == case.departement_id:
            raise ValidationError({"destination": "Choisissez un autre département que celui du signalement."})
        if not Cell.objects.filter(departement=destination).exists():
            raise ActionRefused(f"Le département {destination} n'a pas de cellule de suivi : transfert impossible.")
        before = case.state
        # The care goes on in the destination département: the measures under way here are redirected.
        end_open_measures(actor, case, outcome=CareMeasure.Outcome.REDIRECTED, on=timezone.localdate())
        case_closing.send(sender=Case, actor=actor, case=case, note=f"Signalement transféré : {note}")
        case.transfer()
        case.closure_reason, case.closure_note, case.closed_on = ClosureReason.TRANSFERRED, note, timezone.localdate()
        case.closure_proposed = False
        case.save()
        tasks.sync(case, actor)
        copy = Case(departement=destination, source=case.source, received_on=timezone.localdate(), facts=case.facts,
                    orientation_note=case.orientation_note, transferred_from=case)
        person = case.person
        person.pk = person.id = None
        relatives = list(case.relatives.all())
        for relative in relatives:
            relative.pk = relative.id = None
        _create(copy, person, relatives)
        record_transition("transfer", actor, case, before, destination=destination.code, nouveau=copy.reference,
                          note=note)
        record("case.intake", actor, copy, origine=copy.source, transféré_depuis=case.reference)
    return copy
