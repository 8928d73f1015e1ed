"""A meeting's decisions: checked when recorded, turned into their owners' tasks and lines on their cases'
timelines when the meeting closes, and marked done by their owner (or a coordinator)."""

import datetime
from typing import TypedDict

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.actions.base import lock
from cases.actions.base import record as record_on_case
from cases.models import Case
from cellule.models import Meeting, MeetingItem
from cellule.rules import CelluleRight
from cellule.task_kinds import MEETING_DECISION
from organisation import policy
from organisation.errors import ActionRefused
from organisation.policy import Actor
from workflows import tasks


class Decision(TypedDict):
    """What the meeting decided on a case: the outcome, who follows it up and by when, a factual note."""

    outcome: str
    owner: User | None
    due_on: datetime.date | None
    note: str


def check_decision(meeting: Meeting, item: MeetingItem, decision: Decision) -> None:
    """Set ``decision`` on ``item`` (not saved), or refuse it: an outcome needs an owner who may open
    the case, and a date from the meeting's day on."""
    item.outcome, item.decision = decision["outcome"], decision["note"]
    item.owner, item.due_on = decision["owner"], decision["due_on"]
    field = f"decision-{item.pk}"
    if item.outcome and (item.owner is None or item.due_on is None):
        raise ValidationError({field: f"{item.case.reference} : indiquez qui est chargé de la suite, et pour quand."})
    if not item.outcome and (item.owner or item.due_on):
        raise ValidationError({field: f"{item.case.reference} : choisissez la décision prise."})
    if item.due_on and item.due_on < meeting.day:
        raise ValidationError({field: f"{item.case.reference} : la suite est à donner après la réunion."})
    if item.owner and not Case.objects.visible_to(item.owner).filter(pk=item.case_id).exists():
        raise ValidationError({field: f"{item.case.reference} : {item.owner.get_full_name()} ne peut pas ouvrir ce "
                                      "signalement ; confiez la suite au référent ou à un coordonnateur."})
    item.full_clean()


def apply_decisions(actor: Actor, meeting: Meeting) -> None:
    """The closed meeting's decisions on open cases become their owners' tasks, each a line on its case's timeline
    (in the caller's transaction)."""
    for item in meeting.items.exclude(outcome="").select_related("owner"):
        case = lock(item.case)
        if not case.is_open:
            continue
        tasks.sync(case, actor)
        owner, due_on = item.owner, item.due_on  # both set with the outcome (check_decision)
        record_on_case("case.meeting_decision", actor, case, décision=item.get_outcome_display(),
                       note=item.decision, chargé=owner.get_full_name() if owner else "",
                       échéance=due_on.isoformat() if due_on else "",
                       réunion=meeting.day.isoformat())


def complete_decision(actor: Actor, item: MeetingItem, *, note: str = "") -> MeetingItem:
    """The owner (or a coordinator) says the decision's follow-up is done: their task completes."""
    with transaction.atomic():
        case = lock(item.case)
        item = MeetingItem.objects.select_for_update(of=("self",)).select_related("meeting", "owner").get(pk=item.pk)
        policy.require(actor, CelluleRight.COMPLETE_DECISION, item)
        if item.meeting.status != Meeting.Status.CLOSED or not item.outcome:
            raise ActionRefused("Cette décision n'est pas encore arrêtée : la réunion n'est pas clôturée.")
        if item.done_on:
            raise ActionRefused(f"La suite de cette décision a déjà été donnée le {item.done_on:%d/%m/%Y}.")
        if len(note) > 500:
            raise ValidationError({"note": "La note fait au plus 500 caractères."})
        item.done_on = timezone.localdate()
        item.save()
        tasks.sync(case, actor, done=MEETING_DECISION)
        record_on_case("case.meeting_decision_done", actor, case, décision=item.get_outcome_display(), note=note)
    return item
