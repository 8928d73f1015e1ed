"""How long the law lets the cellule keep what it holds (one place, from the settings, shown on the
personal-data notice): a closed case is kept
``RETENTION_CLOSED_YEARS`` after its closure, or, when ``RETENTION_CLOSED_FROM`` is ``majority``,
after the later of its closure and the young person's eighteenth birthday; a case closed without
ever going past "Reçu" (judged not relevant) ``RETENTION_NOT_RELEVANT_YEARS`` after its closure;
the trail's events ``RETENTION_AUDIT_YEARS``. An open case is never expired, nor one under a legal
hold, nor one already erased. Who may act on it is ``retention.rules``.
"""

import datetime
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from cases.models import Case, State
from retention.models import LegalHold
from ui.french import count

MAJORITY = 18


@dataclass(frozen=True)
class Periods:
    closed_years: int
    closed_from: str  # "closure" or "majority"
    not_relevant_years: int
    audit_years: int

    @classmethod
    def current(cls) -> "Periods":
        return cls(settings.RETENTION_CLOSED_YEARS, settings.RETENTION_CLOSED_FROM,
                   settings.RETENTION_NOT_RELEVANT_YEARS, settings.RETENTION_AUDIT_YEARS)

    def describe(self) -> list[tuple[str, str]]:
        """The periods as the personal-data notice states them."""
        after = ("après la clôture" if self.closed_from == "closure"
                 else "après la clôture ou, si elle est plus tardive, la majorité du jeune")
        return [
            ("Signalement clôturé", f"{_years(self.closed_years)} {after}"),
            ("Signalement clôturé sans suite (jamais allé au-delà de « Reçu »)",
             f"{_years(self.not_relevant_years)} après la clôture"),
            ("Journal d'audit (qui a lu ou fait quoi, sans nom des personnes suivies)",
             f"{_years(self.audit_years)}"),
        ]


def _years(years: int) -> str:
    return count(years, "an")


def _years_before(day: datetime.date, years: int) -> datetime.date:
    return years_after(day, -years)


def years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def kept_until(case: Case, periods: Periods | None = None) -> datetime.date | None:
    """The day a closed case's retention period ends; None while it is open."""
    periods = periods or Periods.current()
    if case.closed_on is None:
        return None
    if {state for state, _ in case.states_reached()} <= {State.RECEIVED, State.CLOSED}:  # as never_past_received
        return years_after(case.closed_on, periods.not_relevant_years)
    start = case.closed_on
    if periods.closed_from == "majority":
        start = max(start, years_after(case.person.birth_date, MAJORITY))
    return years_after(start, periods.closed_years)


def never_past_received() -> Exists:
    """The outer case's history holds no state beyond "Reçu" (and its closure)."""
    # ~Exists is an Exists, negated (its stubs say a NegatedExpression)
    return cast(Exists, ~Exists(Case.history.filter(id=OuterRef("pk"))
                                .exclude(state__in=[State.RECEIVED, State.CLOSED])))


def expired(today: datetime.date, periods: Periods | None = None) -> QuerySet:
    """The closed cases past their retention period on ``today``, not yet erased, under no hold, and
    not continued by a case not yet erased (a transfer's)."""
    periods = periods or Periods.current()
    closed_before = _years_before(today, periods.closed_years)
    kept = Q(closed_on__lt=closed_before)
    if periods.closed_from == "majority":
        # Majority plus the period is past when born before today minus (18 + years).
        kept &= Q(person__birth_date__lt=_years_before(today, MAJORITY + periods.closed_years))
    not_relevant = Q(closed_on__lt=_years_before(today, periods.not_relevant_years), not_relevant=True)
    return (Case.objects.filter(state=State.CLOSED, erasure__isnull=True)
            .annotate(not_relevant=never_past_received())
            .filter(kept | not_relevant)
            .exclude(Exists(LegalHold.objects.filter(case=OuterRef("pk"), lifted_at__isnull=True)))
            # A transferred case's file is read from the case that continues it: it goes with that one.
            .exclude(Exists(Case.objects.filter(transferred_from=OuterRef("pk"), erasure__isnull=True)))
            .select_related("departement").order_by("closed_on", "pk"))
