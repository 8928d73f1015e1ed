"""Series over time, drawn by the State's chart component (``@gouvfr/dsfr-chart``, vendored under
``reporting/static/reporting/dsfr-chart``) with the same figures as a table for screen readers.

A ``Chart`` holds what both need: the months, the series and, per month and series, the value drawn
and the text the table shows (they differ nationally, where a total over suppressed counts is drawn
at the least it can be and written as the range it is). The component reads its data from the
element's attributes (JSON), so the page needs no inline script under the Content Security Policy.

``cellule_charts`` computes the cellule's twelve months from its live data in one query: the cases
received in the window with their first reached family contact and first care measure, and the
end-of-support bilans of the window with their objectives' results (``figures.Outcome``), as one
``UNION ALL`` of ``figures._fact`` branches, bucketed by month here.
"""

import datetime
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils.formats import number_format

from cases.models import Bilan, CareMeasure, Case, FamilyContact, ObjectiveResult
from reporting.delays import median_of
from reporting.figures import Month, Outcome, _fact

WINDOW = 12  # months drawn, the current one last


def window(month: Month, count: int = WINDOW) -> list[Month]:
    """The ``count`` months up to ``month``, oldest first."""
    return [month.previous(n) for n in range(count - 1, -1, -1)]


@dataclass(frozen=True)
class Series:
    name: str
    values: list[int | float | None]  # drawn; None where nothing is known (a gap)
    texts: list[str] = field(default_factory=list)  # what the table shows; the values themselves if empty

    def cells(self) -> list[str]:
        return self.texts or ["—" if value is None else number_format(value) for value in self.values]


@dataclass(frozen=True)
class Chart:
    key: str  # the element's id
    title: str
    kind: str  # the component's element: "bar-chart" or "line-chart"
    months: list[Month]
    series: list[Series]
    unit: str = ""
    note: str = ""  # how to read it, under the title

    @property
    def x(self) -> str:
        return json.dumps([[f"{m.first:%m/%Y}" for m in self.months]] * len(self.series))

    @property
    def y(self) -> str:
        return json.dumps([s.values for s in self.series])

    @property
    def names(self) -> str:
        return json.dumps([s.name for s in self.series], ensure_ascii=False)

    def rows(self) -> list[tuple[str, list[tuple[str, Series]]]]:
        """The table: one row per month (its label, then each series' cell with the series)."""
        columns = [s.cells() for s in self.series]
        return [(m.label(), [(column[i], series) for column, series in zip(columns, self.series, strict=True)])
                for i, m in enumerate(self.months)]


def _days(start: str, end: str) -> int | None:
    return (datetime.date.fromisoformat(end) - datetime.date.fromisoformat(start)).days if end else None


def cellule_charts(departement_id: int, month: Month) -> list[Chart]:
    """Intake, delays to family contact and to care, and closures by outcome, over the twelve months
    up to ``month``, for a département's cellule: one query."""
    months = window(month)
    first, last = months[0].first, months[-1].last
    as_text: CharField = CharField()
    contact = FamilyContact.objects.filter(case=OuterRef("pk"), outcome=FamilyContact.Outcome.REACHED)
    care = CareMeasure.objects.filter(case=OuterRef("pk"))
    # received_on|first reached contact|first care measure's start, the last two blank when none yet.
    dates = Concat(Cast("received_on", as_text), Value("|"),
                   Subquery(contact.order_by("on").values("on")[:1]), Value("|"),
                   Subquery(care.order_by("starts_on").values("starts_on")[:1]), output_field=as_text)
    bilans = Bilan.objects.filter(case__departement_id=departement_id, closed_on__range=(first, last))
    received = Case.objects.filter(departement_id=departement_id, received_on__range=(first, last))
    branches = [
        _fact(received, "received", dates),
        _fact(bilans, "bilan", Cast("closed_on", as_text), subject=F("pk")),
        _fact(ObjectiveResult.objects.filter(bilan__in=bilans), "result", F("result"), subject=F("bilan_id")),
    ]
    intake: Counter[str] = Counter()
    delays: dict[str, defaultdict[str, list[int]]] = {"contact": defaultdict(list), "care": defaultdict(list)}
    closed_in: dict[int, str] = {}
    results: defaultdict[int, list[str]] = defaultdict(list)
    for fact, value, subject in branches[0].union(*branches[1:], all=True):
        if fact == "received":
            received_on, contacted_on, cared_on = value.split("|")
            key = received_on[:7]
            intake[key] += 1
            for name, end in (("contact", contacted_on), ("care", cared_on)):
                if (days := _days(received_on, end)) is not None:
                    delays[name][key].append(days)
        elif fact == "bilan":
            closed_in[subject] = value[:7]
        else:
            results[subject].append(value)
    outcomes = Counter((closed_in[pk], Outcome.of(results[pk])) for pk in closed_in)
    keys = [str(m) for m in months]
    return [
        Chart("chart-intake", "Signalements reçus par mois", "bar-chart", months,
              [Series("Signalements reçus", [intake[k] for k in keys])]),
        Chart("chart-delays", "Délais médians jusqu'au contact avec la famille et jusqu'à la prise en charge",
              "line-chart", months,
              [Series("Jusqu'au premier contact réussi avec la famille",
                      [median_of(delays["contact"][k]) for k in keys]),
               Series("Jusqu'au début de la première mesure de prise en charge",
                      [median_of(delays["care"][k]) for k in keys])],
              unit="jours",
              note=("En jours, pour les signalements reçus dans le mois qui ont déjà connu ce contact ou cette "
                    "mesure ; « — » : aucun encore.")),
        Chart("chart-outcomes", "Clôtures après accompagnement, par issue du bilan", "bar-chart", months,
              [Series(outcome, [outcomes[(k, outcome)] for k in keys]) for outcome in Outcome.ORDER],
              note="Les bilans de fin d'accompagnement du mois, selon les résultats des objectifs du plan."),
    ]
