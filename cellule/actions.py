"""The cellule's life: meetings, family interview requests, support groups (coordinators)."""

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

import audit
from cases.actions.base import Check, lock, runs
from cases.models import Case
from cellule.models import Attendance, InterviewRequest, Meeting, SupportGroup, SupportGroupSession
from cellule.rules import CelluleRight
from organisation import policy
from organisation.errors import ActionRefused
from organisation.models import Cell, Institution
from organisation.policy import Actor
from workflows import tasks

# How far from now a meeting may be: scheduled up to a year ahead, recorded up to two months after.
SCHEDULED_AHEAD, RECORDED_AFTER = datetime.timedelta(days=366), datetime.timedelta(days=62)

def _record(action: str, actor: Actor, obj: models.Model, cell: Cell, **details: object) -> None:
    audit.record(action, obj=obj, actor=actor, departement=cell.departement.code, details=details)


def schedule_meeting(actor: Actor, cell: Cell, *, held_at: datetime.datetime, cases: Sequence[Case] = ()) -> Meeting:
    """A meeting of the cellule, with the open cases on its agenda."""
    policy.require(actor, CelluleRight.MANAGE_MEETINGS, cell)
    if any(case.departement_id != cell.departement_id for case in cases):
        raise ValidationError({"cases": "L'ordre du jour ne porte que sur les signalements de la cellule."})
    now = timezone.now()
    if not now - RECORDED_AFTER <= held_at <= now + SCHEDULED_AHEAD:
        raise ValidationError({"held_at": "Une réunion se programme au plus un an à l'avance, ou s'enregistre au plus "
                                          "deux mois après s'être tenue."})
    with transaction.atomic():
        meeting = Meeting.objects.create(cell=cell, held_at=held_at)
        for case in cases:
            meeting.items.create(case=case)
            # The case's follow-up review is due before the meeting that will discuss it.
            reviews = case.tasks.open().of_type("review")  # type: ignore[attr-defined]  # CaseTask's queryset
            reviews.filter(due_on__gt=held_at.date()).update(due_on=held_at.date())
        _record("meeting.schedule", actor, meeting, cell, date=held_at.isoformat(),
                ordre_du_jour=[case.reference for case in cases])
    return meeting


def record_meeting(actor: Actor, meeting: Meeting, *, minutes: str, decisions: dict[int, str],
                   attendance: dict[int, str]) -> Meeting:
    """The meeting's minutes, a decision per agenda item, who was present or excused."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("cell__departement").get(pk=meeting.pk)
        policy.require(actor, CelluleRight.MANAGE_MEETINGS, meeting.cell)
        if meeting.status == Meeting.Status.CLOSED:
            raise ActionRefused("Cette réunion est close : son compte rendu est figé.")
        meeting.minutes = minutes
        meeting.full_clean()
        meeting.save()
        for item in meeting.items.all():
            if item.pk in decisions and decisions[item.pk] != item.decision:
                item.decision = decisions[item.pk]
                item.full_clean()
                item.save()
        members = set(meeting.cell.memberships.active(meeting.held_at.date()).values_list("pk", flat=True))
        for membership_id, presence in attendance.items():
            if membership_id not in members or presence not in Attendance.Presence.values:
                raise ValidationError({"attendance": "Présence inconnue ou membre hors de la cellule."})
            Attendance.objects.update_or_create(meeting=meeting, membership_id=membership_id,
                                                defaults={"presence": presence})
        _record("meeting.record", actor, meeting, meeting.cell, présents=sorted(
            m for m, p in attendance.items() if p == Attendance.Presence.PRESENT))
    return meeting


def close_meeting(actor: Actor, meeting: Meeting, *, minutes: str) -> Meeting:
    """Closing a meeting freezes it, minutes and decisions."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("cell__departement").get(pk=meeting.pk)
        policy.require(actor, CelluleRight.MANAGE_MEETINGS, meeting.cell)
        if meeting.status == Meeting.Status.CLOSED:
            raise ActionRefused("Cette réunion est close : son compte rendu est figé.")
        if meeting.held_at > timezone.now():
            raise ActionRefused(f"La réunion du {timezone.localtime(meeting.held_at):%d/%m/%Y à %H:%M} n'a pas encore "
                                "eu lieu : elle se clôt après s'être tenue.")
        meeting.minutes, meeting.status = minutes, Meeting.Status.CLOSED
        meeting.full_clean()
        meeting.save()
        _record("meeting.close", actor, meeting, meeting.cell)
    return meeting


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
        _record("interview_request.create", actor, request, case.departement.cell, signalement=case.reference)
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
        _record("interview_request.update", actor, request, case.departement.cell, signalement=case.reference,
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
    if institution is not None and not institution.serves(cell.departement_id):
        raise ValidationError({"institution": "Cette association travaille dans un autre département."})
    with transaction.atomic():
        group = SupportGroup(cell=cell, name=name, institution=institution)
        group.full_clean()
        group.save()
        _record("support_group.create", actor, group, cell)  # its name, typed, stays on the group
    return group


def record_support_session(actor: Actor, group: SupportGroup, *, on: datetime.date,
                           families: list[Case]) -> SupportGroupSession:
    """A session of a support group, with the families who took part (linked to their cases)."""
    policy.require(actor, CelluleRight.MANAGE_MEETINGS, group.cell)
    if any(case.departement_id != group.cell.departement_id for case in families):
        raise ValidationError({"families": "Les familles participantes sont suivies par la cellule."})
    with transaction.atomic():
        session = SupportGroupSession.objects.create(group=group, on=on)
        session.families.set(families)
        _record("support_session.create", actor, session, group.cell, familles=len(families))
    return session
