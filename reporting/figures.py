"""The monthly report's figures, computed from the live data of one cellule and one month.

Months are counted on the cellule's own clock (``Departement.time_zone``: Paris, Nouméa, Papeete…),
so that a meeting its people see dated 1 March counts in March. A young person counts as followed
when one of their cases was open at any time in the month (read from its history, so a case closed
then reopened is counted only in the months it was open), once however many of their cases were; a
family (``Family``) counts, once, when a family-beneficiary care measure or a support group
participation of a case about one of its young people was active in the month, however many of its
children are followed.

The computation is incremental: it never replays a case's whole history. A case's state at an
instant is its last history row before it, one probe of the history's index on the case; what
happened in the month is read from the département's history rows of that month alone, through the
index on (département, date) of ``reporting/migrations/0002_case_history_indexes.py``. So the work is
one probe per case of the département plus the month's own rows, whatever the number of past
months. A case was open in the month when it was open as the month began or one of the month's rows
left it open; a closure of the month is a closing row whose previous row was not closed. Every
figure comes from one SQL statement, a ``UNION ALL`` of (fact, value, subject) rows counted here,
so the report page costs the same few queries whatever the size of the département.
"""

import calendar
import datetime
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import BigIntegerField, CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.text import capfirst

from cases.models import (
    Bilan,
    CareMeasure,
    Case,
    ClosureReason,
    Domain,
    FollowUpNote,
    ObjectiveResult,
    ProsecutorInformation,
    Situation,
    Source,
    State,
)
from cellule.models import InterviewRequest, Meeting, SupportGroup, SupportGroupSession
from mobile_team.models import MobileTeamRequest
from organisation.models import Cell, Institution, Membership
from reporting import delays

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
OPEN = State.open_states()


@dataclass(frozen=True, order=True)
class Month:
    first: datetime.date
    zone: zoneinfo.ZoneInfo = field(default=PARIS, compare=False)  # where its days begin and end

    @classmethod
    def of(cls, day: datetime.date) -> "Month":
        """The month ``day`` falls in."""
        return cls(day.replace(day=1))

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

    def at(self, zone: zoneinfo.ZoneInfo) -> "Month":
        """The same month on another clock."""
        return Month(self.first, zone)

    @property
    def start(self) -> datetime.datetime:
        return datetime.datetime.combine(self.first, datetime.time(), self.zone)

    @property
    def end(self) -> datetime.datetime:
        """The first instant of the next month, on the month's clock."""
        return datetime.datetime.combine(self.last + datetime.timedelta(days=1), datetime.time(), self.zone)

    def previous(self, count: int = 1) -> "Month":
        first = self.first
        for _ in range(count):
            first = (first - datetime.timedelta(days=1)).replace(day=1)
        return Month(first, self.zone)

    def next(self) -> "Month":
        return Month(self.last + datetime.timedelta(days=1), self.zone)

    def __str__(self) -> str:
        return f"{self.first:%Y-%m}"

    def label(self) -> str:
        names = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                 "novembre", "décembre"]
        return f"{names[self.first.month - 1]} {self.first.year}"

    def of_label(self) -> str:
        """The label after « de », elided before a vowel: « de mars 2026 », « d'avril 2026 »."""
        label = self.label()
        return f"d'{label}" if label[0] in "aeiou" else f"de {label}"


def _labelled(counter: Counter, choices) -> dict[str, int]:
    """Counts keyed by the French label, every choice present (zeros included), in the choices' order."""
    return {label: counter.get(value, 0) for value, label in choices.choices}


def _fact(queryset: QuerySet, fact: str, value=None, subject=None) -> QuerySet:
    """One branch of the month's facts: a row of (fact, value, subject) per object of ``queryset``."""
    return queryset.order_by().annotate(
        fact=Value(fact), value=Cast(Value(None), CharField()) if value is None else value,
        subject=Cast(Value(None), BigIntegerField()) if subject is None else subject,  # a typed NULL for PostgreSQL
    ).values_list("fact", "value", "subject")


def _last_state(rows: QuerySet) -> Subquery:
    """The state of the latest of these history rows (None if there are none)."""
    return Subquery(rows.order_by("-history_date", "-history_id").values("state")[:1])


def _state_at(departement_id: int, moment: datetime.datetime) -> Subquery:
    """The outer case's state just before ``moment``: its last history row before it."""
    return _last_state(Case.history.filter(id=OuterRef("id"), departement_id=departement_id, history_date__lt=moment))


def _case_facts(departement_id: int, month: Month) -> list[QuerySet]:
    """Cases followed in the month, their states at its end, its closures, its new cases and the steps reached."""
    cases = Case.objects.filter(departement_id=departement_id)
    history = Case.history.filter(departement_id=departement_id)
    in_month = history.filter(history_date__gte=month.start, history_date__lt=month.end)
    earlier = history.filter(id=OuterRef("id")).filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")))
    followed = cases.annotate(at_start=_state_at(departement_id, month.start)).filter(
        Q(at_start__in=OPEN) | Exists(in_month.filter(id=OuterRef("id"), state__in=OPEN)))
    closures = in_month.filter(state=State.CLOSED).annotate(previous=_last_state(earlier)).filter(
        Q(previous__isnull=True) | Q(previous__in=OPEN))
    # The steps reached in the month, for the delays from the signalement (``reporting.delays``).
    steps = {**delays.reached(cases, (month.first, month.last)),
             "closure": closures.filter(closed_on__isnull=False).annotate(reached_on=F("closed_on"))}
    return [
        _fact(followed, "followed", subject=F("person_id")),
        _fact(cases, "at_end", _state_at(departement_id, month.end)),  # None: not known yet, and not counted
        _fact(closures, "closure", F("closure_reason")),
        _fact(cases.filter(received_on__range=(month.first, month.last)), "new_case", F("source")),
        *(_fact(queryset, f"delay_{step}", delays.dates()) for step, queryset in steps.items()),
    ]


def _cell_facts(cell: Cell, month: Month) -> list[QuerySet]:
    """The cellule's members, meetings, care measures, families, support groups, mobile team and interview
    requests."""
    days = (month.first, month.last)
    in_month = Q(starts_on__lte=month.last) & (Q(ends_on__isnull=True) | Q(ends_on__gte=month.first))
    measures = CareMeasure.objects.filter(in_month, case__departement_id=cell.departement_id)
    sessions = SupportGroupSession.objects.filter(group__cell=cell, on__range=days)
    participations = SupportGroupSession.families.through.objects.filter(supportgroupsession__in=sessions)
    # Orientations to a local prevention body (CLSPD, CISPD, réussite éducative): measures it runs.
    oriented = measures.filter(institution__category=Institution.Category.LOCAL_PREVENTION)
    interviews = InterviewRequest.objects.filter(case__departement_id=cell.departement_id)
    members = Membership.objects.composition(cell, month.last)
    return [
        _fact(members, "member", F("institution__category")),
        _fact(members, "institution", F("institution__name")),
        _fact(members.representing_parquet(), "parquet"),  # as the cellule's page warns (``Cell.parquet_represented``)
        _fact(ProsecutorInformation.objects.filter(case__departement_id=cell.departement_id, on__range=days),
              "prosecutor_information"),
        _fact(Meeting.objects.filter(cell=cell, held_at__gte=month.start, held_at__lt=month.end), "meeting"),
        _fact(measures, "measure", F("modality")),
        _fact(oriented, "local_prevention", F("institution__prevention_kind")),
        _fact(oriented.filter(starts_on__range=days), "local_prevention_started"),
        _fact(measures.filter(beneficiary=CareMeasure.Beneficiary.FAMILY), "family",
              subject=F("case__person__family_id")),
        _fact(participations, "family", subject=F("case__person__family_id")),
        _fact(sessions, "support_session", F("group__run_by")),
        _fact(participations, "support_attendance"),
        _fact(participations, "support_family", subject=F("case__person__family_id")),
        _fact(sessions.filter(other_parents__gt=0), "other_parents", Cast(F("other_parents"), CharField())),
        _fact(MobileTeamRequest.objects.filter(departement=cell.departement.code, requested_at__gte=month.start,
                                               requested_at__lt=month.end), "request", F("status")),
        _fact(interviews.filter(requested_on__range=days), "interview_requested"),
        _fact(interviews.filter(held_on__range=days), "interview_held"),
    ]


def _result_facts(departement_id: int, month: Month) -> list[QuerySet]:
    """The month's end-of-support bilans (closures of cases in care), each objective's result with its
    domain (per bilan: ``subject``), and the month's follow-up reviews."""
    bilans = Bilan.objects.filter(case__departement_id=departement_id, closed_on__range=(month.first, month.last))
    results = ObjectiveResult.objects.filter(bilan__in=bilans)
    return [
        _fact(bilans, "bilan", F("exit_situation"), subject=F("pk")),
        _fact(bilans.filter(follow_up_planned=True), "follow_up"),
        _fact(results, "result", Concat(F("objective__domain"), Value(":"), F("result"), output_field=CharField()),
              subject=F("bilan_id")),
        _fact(FollowUpNote.objects.filter(case__departement_id=departement_id, on__range=(month.first, month.last)),
              "review"),
    ]


class Outcome:
    """What a closure's bilan says of the plan, as a whole (the report's "closures by outcome")."""

    REACHED = "Objectifs atteints"
    PARTLY = "Objectifs en partie atteints"
    NOT_REACHED = "Objectifs non atteints"
    NO_PLAN = "Sans objectif au plan"
    ORDER = (REACHED, PARTLY, NOT_REACHED, NO_PLAN)

    @classmethod
    def of(cls, results: list[str]) -> str:
        if not results:
            return cls.NO_PLAN
        if all(r == ObjectiveResult.Result.REACHED for r in results):
            return cls.REACHED
        if all(r == ObjectiveResult.Result.NOT_REACHED for r in results):
            return cls.NOT_REACHED
        return cls.PARTLY


def _results(counts: defaultdict[str, Counter], bilans: dict[int, list[str]]) -> dict:
    """The report's results: the month's bilans (objectives reached by domain, closures by outcome, the
    situations at exit) and reviews."""
    outcomes = Counter(Outcome.of(results) for results in bilans.values())
    return {
        "bilans": len(bilans),
        "closures_by_outcome": {outcome: outcomes[outcome] for outcome in Outcome.ORDER},
        "objectives_by_domain": {domain.label: {result.label: counts["result"][f"{domain.value}:{result.value}"]
                                                for result in ObjectiveResult.Result} for domain in Domain},
        "exit_situations": _labelled(counts["bilan"], Situation),
        "follow_up_planned": sum(counts["follow_up"].values()),
        "reviews": sum(counts["review"].values()),
    }


PER_PERSON = {"followed", "family", "support_family"}


def _support_groups(counts: defaultdict[str, Counter], families: int) -> dict:
    """The month's sessions of support groups, by who runs the group, and who took part: the families the
    cellule follows (each once), and the attendances, theirs and the other parents' (counted at each session
    they came to: the other parents have no name, so nothing tells one from another across sessions)."""
    other_parents = sum(int(count) * sessions for count, sessions in counts["other_parents"].items())
    attendances = sum(counts["support_attendance"].values())
    return {
        "sessions": sum(counts["support_session"].values()),
        "sessions_by_runner": _labelled(counts["support_session"], SupportGroup.RunBy),
        "families": families,
        "family_attendances": attendances,
        "other_parents": other_parents,
        "participants": attendances + other_parents,
    }


def compute(cell: Cell, month: Month) -> dict:
    """Every figure of the monthly table, as plain JSON-able values, from one query."""
    month = month.at(cell.departement.zone)
    first, *others = (_case_facts(cell.departement_id, month) + _cell_facts(cell, month)
                      + _result_facts(cell.departement_id, month))
    counts: defaultdict[str, Counter] = defaultdict(Counter)
    people: defaultdict[str, set[int]] = defaultdict(set)  # the facts counted once per young person or family
    bilans: dict[int, list[str]] = {}  # each bilan's results (a bilan without objectives counts too)
    for fact, value, subject in first.union(*others, all=True):
        if fact in PER_PERSON:
            people[fact].add(subject)
            continue
        counts[fact][value] += 1
        if fact in ("bilan", "result"):
            results = bilans.setdefault(subject, [])
            if fact == "result":
                results.append(value.split(":")[1])

    def total(fact: str) -> int:
        return sum(counts[fact].values())

    return {
        "departement": cell.departement.code,
        "departement_name": cell.departement.name,
        "representative": capfirst(cell.departement.representative_title),
        "month": str(month),
        "composition": {
            "total": total("member"),
            "by_category": _labelled(counts["member"], Institution.Category),
            "institutions": sorted(counts["institution"]),
            "parquet_represented": total("parquet") > 0,
        },
        "meeting_periodicity": cell.get_meeting_periodicity_display(),
        "meetings_held": total("meeting"),
        "young_people_followed": len(people["followed"]),
        "families_followed": len(people["family"]),
        "new_cases_by_source": _labelled(counts["new_case"], Source),
        "cases_by_state_at_month_end": _labelled(counts["at_end"], State),
        "measures_by_modality": _labelled(counts["measure"], CareMeasure.Modality),
        # The cellule's orientations to the local prevention bodies: the care measures they run, active in the
        # month, of which started in it, by kind of body. For the national consolidation too.
        "local_prevention_orientations": {
            "active": total("local_prevention"),
            "started": total("local_prevention_started"),
            "by_kind": _labelled(counts["local_prevention"], Institution.PreventionKind),
        },
        "mobile_team_requests": {
            "made": total("request"),
            "by_status": _labelled(counts["request"], MobileTeamRequest.Status),
        },
        "prosecutor_informations": total("prosecutor_information"),
        "interview_requests": {
            "requested": total("interview_requested"),
            "held": total("interview_held"),
        },
        "support_groups": _support_groups(counts, len(people["support_family"])),
        "closures_by_reason": _labelled(counts["closure"], ClosureReason),
        "results": _results(counts, bilans),
        "delays": delays.histograms(counts),  # {step: {days: cases}}: for the national medians
        "computed_at": timezone.now().isoformat(timespec="seconds"),
    }
