"""The delays of the month (issue 29, point 6): from the signalement to the first successful contact with the
family, to the start of care and to the closure, each counted in the month the step was reached.

The monthly report freezes them at sending as compact histograms (``{days: cases}``, never a case or a
name), so the national view can give each département's median and the national median over the union of
the départements' cases, from the reports sent alone. A median is published only over at least ``MINIMUM``
cases (« < 3 cas » otherwise), and the number of cases behind it never is: a département's count of 1 or 2
stays out of every publication.
"""

import datetime
import statistics
from collections import Counter

from django.db.models import CharField, Min, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat

from cases.models import CareMeasure, FamilyContact

MINIMUM = 3  # cases under a published median
TOO_FEW = "< 3 cas"

# (key, what it measures), in the order of a case's life.
STEPS = (("contact", "Du signalement au premier contact réussi avec la famille"),
         ("care", "Du signalement au début de la prise en charge"),
         ("closure", "Du signalement à la clôture"))

Histogram = dict[str, int]  # days (as text: JSON keys) -> cases


def _first(queryset: QuerySet, field: str) -> Subquery:
    """The earliest ``field`` of the outer case's rows of ``queryset``."""
    return Subquery(queryset.filter(case=OuterRef("pk")).order_by().values("case")
                    .annotate(first=Min(field)).values("first")[:1])


def reached(cases: QuerySet, days: tuple[datetime.date, datetime.date]) -> dict[str, QuerySet]:
    """The ``cases`` whose first successful family contact, or first care measure, falls within ``days``,
    each with that day (``reached_on``); ``figures`` adds the month's closures, as it counts them."""
    contacts = FamilyContact.objects.filter(outcome=FamilyContact.Outcome.REACHED)
    return {"contact": cases.annotate(reached_on=_first(contacts, "on")).filter(reached_on__range=days),
            "care": cases.annotate(reached_on=_first(CareMeasure.objects.all(), "starts_on"))
            .filter(reached_on__range=days)}


def dates() -> Concat:
    """A step's value for ``histograms``: "received_on|reached_on"."""
    as_text: CharField = CharField()
    return Concat(Cast("received_on", as_text), Value("|"), Cast("reached_on", as_text), output_field=as_text)


def histograms(values: dict[str, Counter]) -> dict[str, Histogram]:
    """The report's figure from ``compute``'s counts of each step's "received_on|reached_on" values."""
    out: dict[str, Histogram] = {}
    for step, _ in STEPS:
        days: Counter[int] = Counter()
        for value, cases in values.get(f"delay_{step}", Counter()).items():
            received_on, reached_on = (datetime.date.fromisoformat(part) for part in value.split("|"))
            days[(reached_on - received_on).days] += cases
        out[step] = {str(day): days[day] for day in sorted(days)}
    return out


def median_of(days: list[int]) -> int | float | None:
    """The median number of days, a whole number when it is one ("3", not "3,0"); None for no day."""
    if not days:
        return None
    middle = statistics.median(days)
    return int(middle) if middle == int(middle) else round(middle, 1)


def median(histograms: list[Histogram]) -> int | float | None:
    """The median of the days of these histograms together; None under ``MINIMUM`` cases."""
    days = [int(day) for histogram in histograms for day, cases in histogram.items() for _ in range(cases)]
    return median_of(days) if len(days) >= MINIMUM else None


def published(histograms: list[Histogram]) -> str:
    """A median as the national view writes it: its days, or « < 3 cas »."""
    value = median(histograms)
    return TOO_FEW if value is None else str(value).replace(".", ",")
