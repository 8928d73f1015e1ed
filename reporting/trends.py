"""The national view's charts over twelve months (issue 29, point 6), from the reports sent: each a national
total per month of the base counts the steering tables publish (``reporting.steering``), drawn at the least it
can be and written as the range it is (``national.total``), or a national median delay over at least three
cases (``reporting.delays``). So a chart gives back no count from 1 to 2, alone or beside the tables.
"""

from collections.abc import Callable

from reporting import delays
from reporting.charts import Chart, Series, window
from reporting.figures import Month, Outcome
from reporting.national import _sent, bounds, total
from reporting.steering import _orientations


def _national_series(name: str, months: list[Month], sent: dict, counts: Callable[[dict], list[int]]) -> Series:
    """A national total per month over the base counts of the reports sent (``counts``: one report's, as the
    steering tables publish them), as published: drawn at the least it can be, written as the range it is
    (``total``); a month no cellule has reported on yet, or whose reports lack the count, is a gap."""
    per_month: dict = {m.first: [] for m in months}
    for (_, first), figures in sent.items():
        try:
            per_month[first].append(counts(figures))
        except KeyError:  # a report frozen before this count existed
            continue
    values: list[int | float | None] = []
    texts: list[str] = []
    ranged = False
    for m in months:
        base = [count for report in per_month[m.first] for count in report]
        least, most = bounds(base)
        values.append(least if per_month[m.first] else None)
        texts.append(total(base) if per_month[m.first] else "—")
        ranged = ranged or least != most
    # A drawn total over suppressed counts is the least it can be: the name says so, the table gives the range.
    return Series(f"{name} (au moins)" if ranged else name, values, texts)


def _median_series(name: str, months: list[Month], sent: dict, step: str) -> Series:
    """The national median delay of a step per month over the union of the reports' cases; under three
    cases neither drawn nor given (« < 3 cas »)."""
    per_month: dict = {m.first: [] for m in months}
    for (_, first), figures in sent.items():
        if "delays" in figures:
            per_month[first].append(figures["delays"][step])
    return Series(name, [delays.median(per_month[m.first]) for m in months],
                  [delays.published(per_month[m.first]) if per_month[m.first] else "—" for m in months])


def _closures(outcome: str) -> Callable[[dict], list[int]]:
    return lambda figures: [figures["results"]["closures_by_outcome"][outcome]]


def charts(month: Month) -> list[Chart]:
    """The twelve months up to ``month`` from the reports sent (one query): young people and families
    followed, new signalements, meetings held, orientations, median delays, closures by outcome; no count
    from 1 to 2 can be read back from them."""
    months = window(month)
    sent = _sent(months)
    note = ("Totaux des comptes rendus transmis ; un total comprenant un effectif de 1 à 2 est tracé à sa "
            "valeur minimale.")
    return [
        Chart("chart-followed", "Jeunes et familles suivis par mois", "line-chart", months, [
            _national_series("Jeunes suivis", months, sent, lambda f: [f["young_people_followed"]]),
            _national_series("Familles suivies", months, sent, lambda f: [f["families_followed"]])], note=note),
        Chart("chart-intake", "Signalements reçus par mois", "bar-chart", months, [
            _national_series("Signalements reçus", months, sent,
                             lambda f: list(f["new_cases_by_source"].values()))], note=note),
        Chart("chart-meetings", "Réunions des cellules tenues par mois", "bar-chart", months, [
            _national_series("Réunions tenues", months, sent, lambda f: [f["meetings_held"]])], note=note),
        Chart("chart-orientations", "Orientations engagées par mois (prises en charge actives et équipe mobile)",
              "bar-chart", months, [
                  _national_series("Orientations", months, sent, lambda f: list(_orientations(f).values()))],
              note=note),
        Chart("chart-delays", "Délais médians depuis le signalement", "line-chart", months,
              [_median_series(label, months, sent, step) for step, label in delays.STEPS], unit="jours",
              note=("Médiane nationale, en jours, des étapes franchies dans le mois par les signalements des "
                    "comptes rendus transmis ; « < 3 cas » : trop peu de cas pour la donner.")),
        Chart("chart-outcomes", "Clôtures après accompagnement, par issue du bilan", "bar-chart", months,
              [_national_series(outcome, months, sent, _closures(outcome)) for outcome in Outcome.ORDER], note=note),
    ]
