"""The monthly report's figures, computed from the live data of one cellule and one month.

Months are counted in Europe/Paris. A case counts as a young person followed when it was open at
any time in the month (read from its history, so a case closed then reopened is counted only in
the months it was open); a family counts when a family-beneficiary care measure or a support group
participation was active in the month.
"""

import calendar
import datetime
import zoneinfo
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from cases.models import CareMeasure, Case, ClosureReason, Source, State
from cellule.models import InterviewRequest, Meeting, SupportGroupSession
from mobile_team.models import MobileTeamRequest
from organisation.models import Cell, Institution, Membership, Role

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Month:
    first: datetime.date

    @classmethod
    def parse(cls, text: str) -> "Month":
        """``YYYY-MM``; a ``ValueError`` with a French message otherwise."""
        try:
            year, month = (int(part) for part in text.split("-"))
            return cls(datetime.date(year, month, 1))
        except (ValueError, TypeError):
            raise ValueError(f"Mois invalide : « {text} » (format attendu : AAAA-MM, par exemple 2026-03).") from None

    @property
    def last(self) -> datetime.date:
        return self.first.replace(day=calendar.monthrange(self.first.year, self.first.month)[1])

    @property
    def start(self) -> datetime.datetime:
        return datetime.datetime.combine(self.first, datetime.time(), PARIS)

    @property
    def end(self) -> datetime.datetime:
        """The first instant of the next month, in Paris."""
        return datetime.datetime.combine(self.last + datetime.timedelta(days=1), datetime.time(), PARIS)

    def previous(self, count: int = 1) -> "Month":
        first = self.first
        for _ in range(count):
            first = (first - datetime.timedelta(days=1)).replace(day=1)
        return Month(first)

    def __str__(self) -> str:
        return f"{self.first:%Y-%m}"

    def label(self) -> str:
        names = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                 "novembre", "décembre"]
        return f"{names[self.first.month - 1]} {self.first.year}"


def _labelled(counter: Counter, choices) -> dict[str, int]:
    """Counts keyed by the French label, every choice present (zeros included), in the choices' order."""
    return {label: counter.get(value, 0) for value, label in choices.choices}


def _case_states(cell: Cell, month: Month) -> dict[int, tuple[bool, str | None, list]]:
    """For each case of the département known before the month ends: whether it was open at any
    time in the month, its state at the month's end, and the closures made in the month."""
    history = (
        Case.history.filter(departement_id=cell.departement_id, history_date__lt=month.end)
        .order_by("id", "history_date", "history_id").values_list("id", "history_date", "state", "closure_reason")
    )
    result: dict[int, tuple[bool, str | None, list]] = {}
    current_id, state, open_in_month, closures = None, None, False, []
    for case_id, when, new_state, reason in [*history, (None, None, None, None)]:
        if case_id != current_id:
            if current_id is not None:
                result[current_id] = (open_in_month or state != State.CLOSED, state, closures)
            current_id, state, open_in_month, closures = case_id, None, False, []
        if case_id is None:
            break
        if when >= month.start:
            if state is not None and state != State.CLOSED:
                open_in_month = True  # open when the month began, or until this change
            if new_state == State.CLOSED and state != State.CLOSED:
                closures.append(reason)
        state = new_state
    return result


def compute(cell: Cell, month: Month) -> dict:
    """Every figure of the monthly table, as plain JSON-able values."""
    states = _case_states(cell, month)
    followed = [case_id for case_id, (was_open, _, _) in states.items() if was_open]
    at_end = Counter(state for _, state, _ in states.values())
    closures = Counter(reason for _, _, reasons in states.values() for reason in reasons)
    in_month = Q(starts_on__lte=month.last) & (Q(ends_on__isnull=True) | Q(ends_on__gte=month.first))
    measures = CareMeasure.objects.filter(in_month, case__departement_id=cell.departement_id)
    families = set(measures.filter(beneficiary=CareMeasure.Beneficiary.FAMILY).values_list("case_id", flat=True))
    sessions = SupportGroupSession.objects.filter(group__cell=cell, on__range=(month.first, month.last))
    families |= set(sessions.exclude(families=None).values_list("families", flat=True))
    members = Membership.objects.active(month.last).filter(cell=cell, role__in=Role.cell_roles())
    requests = MobileTeamRequest.objects.filter(departement=cell.departement.code,
                                                requested_at__gte=month.start, requested_at__lt=month.end)
    interviews = InterviewRequest.objects.filter(case__departement_id=cell.departement_id)
    return {
        "departement": cell.departement.code,
        "departement_name": cell.departement.name,
        "month": str(month),
        "composition": {
            "total": members.count(),
            "by_category": _labelled(Counter(members.values_list("institution__category", flat=True)),
                                     Institution.Category),
        },
        "meeting_periodicity": cell.get_meeting_periodicity_display(),
        "meetings_held": Meeting.objects.filter(cell=cell, held_at__gte=month.start, held_at__lt=month.end).count(),
        "young_people_followed": len(followed),
        "families_followed": len(families),
        "new_cases_by_source": _labelled(Counter(Case.objects.filter(
            departement_id=cell.departement_id, received_on__range=(month.first, month.last)
        ).values_list("source", flat=True)), Source),
        "cases_by_state_at_month_end": _labelled(at_end, State),
        "measures_by_modality": _labelled(Counter(measures.values_list("modality", flat=True)),
                                          CareMeasure.Modality),
        "mobile_team_requests": {
            "made": requests.count(),
            "by_status": _labelled(Counter(requests.values_list("status", flat=True)), MobileTeamRequest.Status),
        },
        "interview_requests": {
            "requested": interviews.filter(requested_on__range=(month.first, month.last)).count(),
            "held": interviews.filter(held_on__range=(month.first, month.last)).count(),
        },
        "closures_by_reason": _labelled(closures, ClosureReason),
        "computed_at": timezone.now().isoformat(timespec="seconds"),
    }
