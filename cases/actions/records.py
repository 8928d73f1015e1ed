"""Entry points that change a case's records without moving its state."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.changes import diff, snapshot
from cases.actions.base import check_open, lock, record, validate
from cases.models import CareMeasure, Case, Consent, Person, Relative
from cases.rules import CaseRight
from organisation.errors import ActionRefused


def add_care_measure(actor, case: Case, **fields) -> CareMeasure:
    with transaction.atomic():
        case = lock(case)
        check_open(actor, CaseRight.MANAGE_CARE, case)
        measure = CareMeasure(case=case, **fields)
        validate(measure)
        measure.save()
        record("case.care_measure_add", actor, case, mesure=snapshot(measure))
    return measure


def end_care_measure(actor, measure: CareMeasure, *, ends_on: datetime.date, outcome: str) -> CareMeasure:
    with transaction.atomic():
        case = lock(measure.case)
        check_open(actor, CaseRight.MANAGE_CARE, case)
        measure = CareMeasure.objects.select_for_update().get(pk=measure.pk)
        if measure.ends_on is not None:
            raise ActionRefused("Cette prise en charge est déjà terminée.")
        if ends_on and ends_on > timezone.localdate():
            raise ValidationError({"ends_on": "La date de fin ne peut pas être dans le futur."})
        before = snapshot(measure)
        measure.ends_on, measure.outcome = ends_on, outcome
        validate(measure)
        measure.save()
        record("case.care_measure_end", actor, case, mesure=measure.pk, changements=diff(before, snapshot(measure)))
    return measure


def edit_person(actor, case: Case, **fields) -> Person:
    """Change the young person's details; the trail keeps each changed field before and after."""
    return _edit(actor, case, case.person, "case.person_edit", fields)


def save_relative(actor, case: Case, relative: Relative | None = None, **fields) -> Relative:
    """Add a relative (``relative`` is None) or change one of the case's relatives."""
    if relative is None:
        with transaction.atomic():
            case = lock(case)
            check_open(actor, CaseRight.EDIT_CASE, case)
            relative = Relative(case=case, **fields)
            validate(relative)
            relative.save()
            record("case.relative_add", actor, case, proche=relative.pk, changements=diff({}, snapshot(relative)))
        return relative
    if relative.case_id != case.pk:
        raise ActionRefused("Ce proche n'appartient pas à ce signalement.")
    return _edit(actor, case, relative, "case.relative_edit", fields)


def _edit(actor, case: Case, instance, action: str, fields: dict):
    with transaction.atomic():
        case = lock(case)
        check_open(actor, CaseRight.EDIT_CASE, case)
        instance = type(instance).objects.select_for_update().get(pk=instance.pk)
        before = snapshot(instance)
        for name, value in fields.items():
            setattr(instance, name, value)
        validate(instance)
        changes = diff(before, snapshot(instance))
        if changes:
            instance.save()
            record(action, actor, case, objet=instance.pk, changements=changes)
    return instance


def record_consent(actor, case: Case, *, party: str, status: str, on: datetime.date) -> Consent:
    """The young person's or the family's free consent (libre adhésion), as of a date."""
    with transaction.atomic():
        case = lock(case)
        check_open(actor, CaseRight.EDIT_CASE, case)
        if on and on > timezone.localdate():
            raise ValidationError({"on": "La date ne peut pas être dans le futur."})
        consent = Consent(case=case, party=party, status=status, on=on, recorded_by=actor)
        validate(consent)
        consent.save()
        record("case.consent", actor, case, de=party, adhésion=status, date=on)
    return consent
