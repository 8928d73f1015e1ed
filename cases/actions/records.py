"""Entry points that change a case's records without moving its state."""

import datetime
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from audit.changes import concealed, diff, masked, snapshot
from cases.actions import consent
from cases.actions.base import Check, changing, lock, record, runs, validate
from cases.actions.care import care_set_up
from cases.event_texts import keep
from cases.models import CareMeasure, Case, Person, Relative, State
from cases.rules import CaseRight
from organisation.errors import ActionRefused
from organisation.policy import Actor
from workflows import tasks

# What identifies a young person or a relative: the trail names the field changed, the history keeps
# the value, which the purge erases (retention.purge) while the trail outlives the case.
IDENTIFYING = {"last_name", "first_name", "birth_date", "commune", "address", "phone", "email"}
# What a writer typed on a measure: the trail says whether it was given, the measure keeps it.
TYPED = {"adhesion_note"}
ORIENT = Check("Orienter vers un partenaire (prise en charge)", CaseRight.MANAGE_CARE)
END_MEASURE = Check("Terminer une prise en charge", CaseRight.MANAGE_CARE)
CORRECT_MEASURE = Check("Corriger une prise en charge", CaseRight.MANAGE_CARE)
REMOVE_MEASURE = Check("Retirer une prise en charge saisie par erreur", CaseRight.MANAGE_CARE)
EDIT_PERSON = Check("Modifier la fiche du jeune", CaseRight.EDIT_CASE)
ADD_RELATIVE = Check("Ajouter un proche", CaseRight.EDIT_CASE)
EDIT_RELATIVE = Check("Modifier un proche", CaseRight.EDIT_CASE)
# What a mistyped measure may have corrected; its end goes through ``end_care_measure``.
CORRECTABLE = {"modality", "beneficiary", "institution", "starts_on"}


@runs(ORIENT)
def add_care_measure(actor: User, case: Case, **fields: Any) -> CareMeasure:
    """Orient the case to a partner for a care measure (``create_measure``); with its plan, an assigned case
    is in care (``care.care_set_up``)."""
    with changing():
        case = lock(case, **consent.basis())  # what the measure's adhesion rests on, with the case
        ORIENT.require(actor, case)
        measure = create_measure(actor, case, fields)
        care_set_up(actor, case)
        return measure


def create_measure(actor: User, case: Case, fields: dict[str, Any]) -> CareMeasure:
    """A new care measure on the locked case, checked by the caller: the orientation of the case to
    the partner that runs it, whose members of the cellule then see what it needs of the case
    (``cases.rules.is_partner``). What it rests on is required: an adhesion said given must not
    contradict the last one on file (refused or withdrawn); given and not on file, it is recorded."""
    measure = CareMeasure(case=case, **fields)
    if not measure.adhesion:
        raise ValidationError({"adhesion": "Indiquez sur quoi repose l'orientation : l'adhésion de la famille, "
                                           "celle du jeune, ou pourquoi elle n'est pas requise."})
    validate(measure)
    consent.require_basis(actor, case, measure.adhesion, "adhesion")
    measure.save()
    record("case.care_measure_add", actor, case, mesure=concealed(snapshot(measure), TYPED))
    return measure


@runs(END_MEASURE)
def end_care_measure(actor: Actor, measure: CareMeasure, *, ends_on: datetime.date, outcome: str) -> CareMeasure:
    with transaction.atomic():
        case = lock(measure.case)
        END_MEASURE.require(actor, case)
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
        tasks.sync(case, actor)  # a measure whose adhesion was withdrawn, ended: the référent's task goes
    return measure


@runs(CORRECT_MEASURE)
def edit_care_measure(actor: Actor, measure: CareMeasure, **fields: Any) -> CareMeasure:
    """Correct a mistyped care measure; the trail keeps each changed field before and after."""
    unknown = set(fields) - CORRECTABLE
    if unknown:
        raise ValidationError(f"Champs non modifiables : {', '.join(sorted(unknown))}.")
    return _edit(actor, measure.case, measure, "case.care_measure_edit", fields, CORRECT_MEASURE)


@runs(REMOVE_MEASURE)
def remove_care_measure(actor: Actor, measure: CareMeasure, *, reason: str) -> None:
    """Remove a care measure entered by mistake (a measure that took place is ended, not removed).

    The row goes; its history (``simple_history``) stays, and the trail's event with the measure as
    it was, its typed text and the reason kept apart (``cases.event_texts``), erased with the case."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez pourquoi cette prise en charge a été saisie par erreur."})
    with transaction.atomic():
        case = lock(measure.case)
        REMOVE_MEASURE.require(actor, case)
        measure = CareMeasure.objects.select_for_update().get(pk=measure.pk, case=case)
        others = case.care_measures.exclude(pk=measure.pk).filter(ends_on__isnull=True)
        if case.state in (State.IN_CARE, State.MOBILE_TEAM_REQUESTED) and measure.is_active and not others.exists():
            raise ActionRefused("C'est la seule prise en charge en cours d'un suivi démarré : ajoutez d'abord "
                                "la bonne, puis retirez celle-ci.")
        removed = concealed(snapshot(measure), TYPED)
        measure.delete()
        record("case.care_measure_remove", actor, case, mesure=removed, motif=keep(case, reason))


def end_open_measures(actor: Actor, case: Case, *, outcome: str, on: datetime.date) -> None:
    """End the case's measures under way on ``on`` with ``outcome``, required when there are some:
    a case closed or transferred leaves none open. The caller holds the case's lock."""
    measures = list(case.care_measures.select_for_update(of=("self",)).filter(ends_on__isnull=True)
                    .select_related("institution"))
    if measures and outcome not in CareMeasure.Outcome.values:
        raise ValidationError({"measures_outcome": "Indiquez l'issue des prises en charge en cours : "
                                                   "elles se terminent à la clôture."})
    for measure in measures:
        if measure.starts_on > on:
            raise ActionRefused(f"La prise en charge « {measure} » ne commence que le {measure.starts_on:%d/%m/%Y} : "
                                "retirez-la si elle a été saisie par erreur, ou corrigez sa date de début.")
        before = snapshot(measure)
        measure.ends_on, measure.outcome = on, outcome
        measure.save()
        record("case.care_measure_end", actor, case, mesure=measure.pk, changements=diff(before, snapshot(measure)))


@runs(EDIT_PERSON)
def edit_person(actor: Actor, case: Case, **fields: Any) -> Person:
    """Change the young person's details; the trail keeps each changed field before and after."""
    young: Person = case.person  # typed here: the case's model stands on django_fsm's untyped mixin
    return _edit(actor, case, young, "case.person_edit", fields, EDIT_PERSON)


@runs(ADD_RELATIVE)
def save_relative(actor: Actor, case: Case, relative: Relative | None = None, **fields: Any) -> Relative:
    """Add a relative to the young person's family (``relative`` is None) or change one of its relatives:
    the same record on the cases of their siblings."""
    if relative is None:
        with transaction.atomic():
            case = lock(case)
            ADD_RELATIVE.require(actor, case)
            relative = Relative(family_id=case.person.family_id, **fields)
            validate(relative)
            relative.save()
            record("case.relative_add", actor, case, proche=relative.pk,
                   changements=masked(diff({}, snapshot(relative)), IDENTIFYING))
        return relative
    if relative.family_id != case.person.family_id:
        raise ActionRefused("Ce proche n'appartient pas à la famille de ce jeune.")
    return _edit(actor, case, relative, "case.relative_edit", fields, EDIT_RELATIVE)


Record = TypeVar("Record", bound=models.Model)  # the young person, a relative, a measure


def _edit(actor: Actor, case: Case, instance: Record, action: str, fields: dict[str, Any], check: Check) -> Record:
    with transaction.atomic():
        case = lock(case)
        check.require(actor, case)
        instance = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
        before = snapshot(instance)
        for name, value in fields.items():
            setattr(instance, name, value)
        validate(instance)
        changes = diff(before, snapshot(instance))
        if changes:
            instance.save()
            record(action, actor, case, objet=instance.pk, changements=masked(changes, IDENTIFYING))
    return instance
