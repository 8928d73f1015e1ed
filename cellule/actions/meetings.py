"""A cellule's meetings (coordinators): scheduled with a proposed agenda and an invitation, edited or
cancelled (the invitation follows), recorded with a decision per case and the attendance, closed."""

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import Case
from cellule import agenda, invitations
from cellule.actions.base import record
from cellule.actions.decisions import Decision, apply_decisions, check_decision
from cellule.models import Attendance, Meeting, MeetingItem
from cellule.rules import CelluleRight
from organisation import policy
from organisation.errors import ActionRefused
from organisation.models import Cell
from organisation.policy import Actor

# How far from now a meeting may be: scheduled up to a year ahead, recorded up to two months after.
SCHEDULED_AHEAD, RECORDED_AFTER = datetime.timedelta(days=366), datetime.timedelta(days=62)
FROZEN = "Cette réunion est clôturée : son compte rendu est figé."


def _check_agenda(cell: Cell, held_at: datetime.datetime, cases: Sequence[Case]) -> None:
    if any(case.departement_id != cell.departement_id for case in cases):
        raise ValidationError({"cases": "L'ordre du jour ne porte que sur les signalements de la cellule."})
    now = timezone.now()
    if not now - RECORDED_AFTER <= held_at <= now + SCHEDULED_AHEAD:
        raise ValidationError({"held_at": "Une réunion se programme au plus un an à l'avance, ou s'enregistre au plus "
                                          "deux mois après s'être tenue."})


def _set_agenda(meeting: Meeting, cases: Sequence[Case], proposed: dict[int, list[str]]) -> None:
    """The items of ``cases`` (each with why it is there), the others removed unless a decision was taken."""
    kept = {case.pk for case in cases}
    for item in meeting.items.exclude(case_id__in=kept):
        if item.outcome or item.decision:
            raise ValidationError({"cases": f"Une décision est consignée pour {item.case.reference} : "
                                            "ce signalement reste à l'ordre du jour."})
        item.delete()
    present = set(meeting.items.values_list("case_id", flat=True))
    for case in cases:
        if case.pk not in present:
            meeting.items.create(case=case, reasons=proposed.get(case.pk) or [MeetingItem.Reason.ADDED])
        # The case's follow-up review is due before the meeting that will discuss it.
        reviews = case.tasks.open().of_type("review")  # type: ignore[attr-defined]  # CaseTask's queryset
        reviews.filter(due_on__gt=meeting.day).update(due_on=meeting.day)


def schedule_meeting(actor: Actor, cell: Cell, *, held_at: datetime.datetime, cases: Sequence[Case] = ()) -> Meeting:
    """A meeting of the cellule. Its agenda is proposed (``cellule.agenda``), with ``cases`` added by the
    coordinator; the members are sent an invitation."""
    policy.require(actor, CelluleRight.MANAGE_MEETINGS, cell)
    _check_agenda(cell, held_at, cases)
    with transaction.atomic():
        meeting = Meeting.objects.create(cell=cell, held_at=held_at)
        proposed = agenda.propose(cell, held_at, exclude=meeting)
        chosen = {case.pk: case for case in cases}
        listed = list(Case.objects.filter(pk__in=set(proposed) | set(chosen)).order_by("reference"))
        _set_agenda(meeting, listed, proposed)
        invitations.send(meeting, "REQUEST")
        record("meeting.schedule", actor, meeting, cell, date=held_at.isoformat(),
               ordre_du_jour=[case.reference for case in listed])
    return meeting


def _planned(actor: Actor, meeting: Meeting) -> Meeting:
    """The meeting under its lock, still planned, in a cellule the actor coordinates."""
    meeting = Meeting.objects.select_for_update().select_related("cell__departement").get(pk=meeting.pk)
    policy.require(actor, CelluleRight.MANAGE_MEETINGS, meeting.cell)
    if meeting.status == Meeting.Status.CLOSED:
        raise ActionRefused(FROZEN)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ActionRefused("Cette réunion est annulée.")
    return meeting


def update_meeting(actor: Actor, meeting: Meeting, *, held_at: datetime.datetime, cases: Sequence[Case]) -> Meeting:
    """The coordinator moves the meeting or edits its agenda; the members receive the updated invitation."""
    with transaction.atomic():
        meeting = _planned(actor, meeting)
        _check_agenda(meeting.cell, held_at, cases)
        moved = held_at != meeting.held_at
        before = set(meeting.items.values_list("case__reference", flat=True))
        meeting.held_at = held_at
        _set_agenda(meeting, cases, agenda.propose(meeting.cell, held_at, exclude=meeting))
        after = {case.reference for case in cases}
        if not moved and before == after:
            return meeting
        meeting.sequence += 1
        meeting.save()
        invitations.send(meeting, "REQUEST")
        record("meeting.update", actor, meeting, meeting.cell, date=held_at.isoformat(),
               ajoutés=sorted(after - before), retirés=sorted(before - after))
    return meeting


def cancel_meeting(actor: Actor, meeting: Meeting) -> Meeting:
    """A planned meeting is called off: its members' calendars are told."""
    with transaction.atomic():
        meeting = _planned(actor, meeting)
        if meeting.items.exclude(outcome="", decision="").exists():
            raise ActionRefused("Des décisions sont consignées pour cette réunion : elle ne peut plus être annulée.")
        meeting.status, meeting.sequence = Meeting.Status.CANCELLED, meeting.sequence + 1
        meeting.save()
        invitations.send(meeting, "CANCEL")
        record("meeting.cancel", actor, meeting, meeting.cell)
    return meeting


def record_meeting(actor: Actor, meeting: Meeting, *, minutes: str, decisions: dict[int, Decision],
                   attendance: dict[int, str]) -> Meeting:
    """The meeting's minutes, a decision per agenda item, who was present or excused."""
    with transaction.atomic():
        meeting = _planned(actor, meeting)
        meeting.minutes = minutes
        meeting.full_clean()
        meeting.save()
        for item in meeting.items.select_related("case__departement"):
            if item.pk in decisions:
                check_decision(meeting, item, decisions[item.pk])
                item.save()
        members = set(meeting.cell.memberships.active(meeting.day).values_list("pk", flat=True))
        for membership_id, presence in attendance.items():
            if membership_id not in members or presence not in Attendance.Presence.values:
                raise ValidationError({"attendance": "Présence inconnue ou membre hors de la cellule."})
            Attendance.objects.update_or_create(meeting=meeting, membership_id=membership_id,
                                                defaults={"presence": presence})
        record("meeting.record", actor, meeting, meeting.cell, présents=sorted(
            m for m, p in attendance.items() if p == Attendance.Presence.PRESENT))
    return meeting


def close_meeting(actor: Actor, meeting: Meeting, *, minutes: str) -> Meeting:
    """Closing a meeting freezes it, minutes and decisions, once every member's presence is recorded; each
    decision becomes its owner's task and a line on its case's timeline."""
    with transaction.atomic():
        meeting = _planned(actor, meeting)
        if meeting.held_at > timezone.now():
            raise ActionRefused(f"La réunion du {timezone.localtime(meeting.held_at):%d/%m/%Y à %H:%M} n'a pas encore "
                                "eu lieu : elle se clôt après s'être tenue.")
        missing = (meeting.cell.memberships.active(meeting.day)
                   .exclude(pk__in=meeting.attendances.values("membership_id")).select_related("user"))
        if missing:
            names = ", ".join(sorted(member.user.get_full_name() for member in missing))
            raise ActionRefused(f"Indiquez la présence de chaque membre avant de clôturer la réunion "
                                f"(manque : {names}).")
        meeting.minutes, meeting.status = minutes, Meeting.Status.CLOSED
        meeting.full_clean()
        meeting.save()
        apply_decisions(actor, meeting)
        record("meeting.close", actor, meeting, meeting.cell)
    return meeting
