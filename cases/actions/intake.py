"""Intake of a signalement (and of a transferred one, ``cases.actions.transfer``)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.actions.base import record, validate
from cases.models import Case, CaseCounter, Person, Relative
from cases.rules import CaseRight
from organisation import policy
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
        create(case, young, proches)
        record("case.intake", actor, case, origine=case.source, proches=len(proches))
    return case


def create(case: Case, person: Person, relatives: list[Relative]) -> Case:
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
