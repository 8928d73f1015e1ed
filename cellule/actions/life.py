"""The families' interview requests and the support groups (coordinators)."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.actions.base import Check, lock, runs
from cases.models import Case, State
from cellule.actions.base import record
from cellule.models import InterviewRequest, SupportGroup, SupportGroupSession
from cellule.rules import CelluleRight
from organisation import policy
from organisation.models import Cell, Institution
from organisation.policy import Actor
from workflows import tasks

RECORD_INTERVIEW = Check("Enregistrer une demande d'entretien de la famille", CelluleRight.MANAGE_INTERVIEWS)
UPDATE_INTERVIEW = Check("Programmer ou clore une demande d'entretien", CelluleRight.MANAGE_INTERVIEWS)


@runs(RECORD_INTERVIEW)
def record_interview_request(actor: Actor, case: Case, **fields: Any) -> InterviewRequest:
    """A family asks to meet the préfet, the directeur de cabinet or the référent; the coordinators
    get a task to answer it."""
    with transaction.atomic():
        case = lock(case)
        RECORD_INTERVIEW.require(actor, case)
        request = InterviewRequest(case=case, **fields)
        request.full_clean()
        _check_dates(request)
        request.save()
        tasks.sync(case, actor)
        record("interview_request.create", actor, request, case.departement.cell, signalement=case.reference)
    return request


@runs(UPDATE_INTERVIEW)
def update_interview_request(actor: Actor, case: Case, request: InterviewRequest, *, status: str,
                             scheduled_at: datetime.datetime | None = None, held_on: datetime.date | None = None,
                             outcome: str = "") -> InterviewRequest:
    """The interview is scheduled, then held, with what came of it."""
    with transaction.atomic():
        case = lock(case)
        UPDATE_INTERVIEW.require(actor, case)
        request = InterviewRequest.objects.select_for_update().get(pk=request.pk, case=case)
        if status == InterviewRequest.Status.SCHEDULED and not scheduled_at:
            raise ValidationError({"scheduled_at": "Indiquez quand l'entretien aura lieu."})
        if status == InterviewRequest.Status.HELD and not held_on:
            raise ValidationError({"held_on": "Indiquez quand l'entretien a eu lieu."})
        request.status, request.scheduled_at, request.held_on, request.outcome = status, scheduled_at, held_on, outcome
        request.full_clean()
        _check_dates(request)
        request.save()
        done = None if status == InterviewRequest.Status.REQUESTED else "answer_interview"
        tasks.sync(case, actor, done=done)
        record("interview_request.update", actor, request, case.departement.cell, signalement=case.reference,
                état=status)
    return request


def _check_dates(request: InterviewRequest) -> None:
    """Dates that agree with the case and with each other."""
    today, received = timezone.localdate(), request.case.received_on
    if request.requested_on and request.requested_on > today:
        raise ValidationError({"requested_on": "La date de la demande ne peut pas être dans le futur."})
    if request.requested_on and request.requested_on < received:
        raise ValidationError({"requested_on": f"La demande ne peut précéder la réception du signalement "
                                               f"(le {received:%d/%m/%Y})."})
    if request.held_on and (request.held_on > today or request.held_on < request.requested_on):
        raise ValidationError({"held_on": "L'entretien a eu lieu après la demande, et pas dans le futur."})
    if request.held_on and request.scheduled_at and request.held_on < timezone.localdate(request.scheduled_at):
        raise ValidationError({"held_on": "L'entretien ne peut avoir eu lieu avant la date où il était prévu."})


def create_support_group(actor: Actor, cell: Cell, *, name: str, institution: Institution | None) -> SupportGroup:
    policy.require(actor, CelluleRight.MANAGE_MEETINGS, cell)
    if institution is not None and (why := institution.not_partner_in(cell.departement_id)):
        raise ValidationError({"institution": why})
    with transaction.atomic():
        group = SupportGroup(cell=cell, name=name, institution=institution)
        group.full_clean()
        group.save()
        record("support_group.create", actor, group, cell)  # its name, typed, stays on the group
    return group


def record_support_session(actor: Actor, group: SupportGroup, *, on: datetime.date,
                           families: list[Case]) -> SupportGroupSession:
    """A session of a support group, with the families who took part (linked to their cases, under way)."""
    policy.require(actor, CelluleRight.MANAGE_MEETINGS, group.cell)
    if any(case.departement_id != group.cell.departement_id for case in families):
        raise ValidationError({"families": "Les familles participantes sont suivies par la cellule."})
    with transaction.atomic():
        # Read again under a lock: a case closed (or transferred) meanwhile is no longer followed here.
        states = Case.objects.select_for_update().filter(pk__in=[case.pk for case in families]).order_by("reference")
        closed = next((ref for ref, state in states.values_list("reference", "state") if state == State.CLOSED), None)
        if closed:
            raise ValidationError({"families": f"Le signalement {closed} est clôturé : sa famille n'est plus suivie "
                                               "par la cellule et ne peut être inscrite à une séance."})
        session = SupportGroupSession.objects.create(group=group, on=on)
        session.families.set(families)
        record("support_session.create", actor, session, group.cell, familles=len(families))
    return session
