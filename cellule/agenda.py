"""A meeting's proposed agenda: the cases the cellule should discuss, each with why.

The cases due for review before the meeting, the new ones since the last meeting, the référents'
closure proposals, the transfers waiting for the other département, and what the apps above the cases
register (``cases.agenda_reasons``: the mobile team's answers received since the last meeting).
``lines`` gives what an agenda shows of each case: initials, référent, state, last review and why it
is there.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Max, QuerySet
from django.utils import timezone

from cases import agenda_reasons
from cases.models import Case, CaseTransfer
from cases.task_kinds import REVIEW
from cellule.models import Meeting, MeetingItem
from organisation.models import Cell
from workflows.models import CaseTask

Reason = MeetingItem.Reason
# Without a previous meeting, "new" reaches back this far.
FIRST_MEETING_LOOKBACK = datetime.timedelta(days=31)


def due_for_review(cases: QuerySet[Case], before: datetime.date) -> QuerySet[Case]:
    """The cases whose review falls due on or before ``before``: the one place that says what "due"
    means (today, the due date of the open review task)."""
    return cases.filter(pk__in=CaseTask.objects.open().filter(flow_task_name=REVIEW, due_on__lte=before)
                        .values("case_id"))


def previous_meeting(cell: Cell, held_at: datetime.datetime, exclude: Meeting | None = None) -> Meeting | None:
    """The cellule's last meeting held (or planned) before ``held_at``, cancelled ones aside."""
    meetings = cell.meetings.filter(held_at__lt=held_at).exclude(status=Meeting.Status.CANCELLED)
    if exclude is not None:
        meetings = meetings.exclude(pk=exclude.pk)
    return meetings.order_by("-held_at").first()


def propose(cell: Cell, held_at: datetime.datetime, exclude: Meeting | None = None) -> dict[int, list[str]]:
    """``{case id: [reason, …]}``: the open cases of the cellule the meeting of ``held_at`` should discuss."""
    cases = Case.objects.open().filter(departement_id=cell.departement_id)
    last = previous_meeting(cell, held_at, exclude)
    since = last.held_at if last else held_at - FIRST_MEETING_LOOKBACK
    found: dict[str, QuerySet[Case]] = {
        Reason.REVIEW_DUE: due_for_review(cases, timezone.localdate(held_at)),
        Reason.NEW: cases.filter(created_at__gt=since),
        Reason.CLOSURE_PROPOSED: cases.filter(closure_proposed=True),
        Reason.TRANSFER_PENDING: cases.filter(pk__in=CaseTransfer.objects.pending().values("case_id")),
        **agenda_reasons.found(cases, since),  # what the apps above know: the mobile team's answers
    }
    proposed: dict[int, list[str]] = {}
    for reason, queryset in found.items():
        for pk in queryset.values_list("pk", flat=True).distinct():
            proposed.setdefault(pk, []).append(str(reason))
    return proposed


@dataclass
class Line:
    """What an agenda shows of a case."""

    case: Case
    reasons: list[str]
    last_review: datetime.date | None

    @property
    def why(self) -> str:
        labels = dict(Reason.choices)
        return " ; ".join(str(labels.get(reason, reason)) for reason in self.reasons)

    def __str__(self) -> str:
        case, referent = self.case, self.case.referent
        review = f"dernière revue le {self.last_review:%d/%m/%Y}" if self.last_review else "aucune revue"
        return (f"{case.reference} — {case.person.initials} — {case.get_state_display()} — référent : "
                f"{referent.get_full_name() if referent else 'aucun'} — {review} — {self.why}")


def lines(cases: QuerySet[Case], reasons: dict[int, list[str]]) -> list[Line]:
    """The agenda's lines of ``cases`` (two queries), a case without a reason being the coordinator's choice."""
    cases = cases.select_related("person", "referent").annotate(last_review=Max("followups__on"))
    return [Line(case, reasons.get(case.pk) or [Reason.ADDED], case.last_review)  # type: ignore[attr-defined]
            for case in cases.order_by("reference")]
