"""The national view's steering tables (issue 29, point 6): what the note of 19 February 2015 asks the
ministry to know — the composition of the cellules, their meetings, the young people and families followed,
the care modalities engaged, the orientations, the closures — per département and nationally, from the
reports sent for the month.

One rule makes the tables safe to publish side by side: every number shown is either a base count (one
département's count of one category for the month, as its report gave it), written as it is or « < 3 », or
a total of base counts computed by ``national.total``, a range as soon as it covers a suppressed one. Rows,
columns, the grand total, the other tables and the other months are all built from base counts this way,
so no combination of them depends on whether a suppressed count is 1 or 2
(tests/reporting/test_steering.py tries every such combination). No published count is the sum of others
published as they are (a département's members are its composition's row total, not a column of the
activity), nor a second partition of the same things (the bilans by outcome, not also by situation at exit).

Two tables are not counts: the median delays (``reporting.delays``: over three cases at least, the number
of cases behind them unpublished) and the difficulties the coordinators ticked, counted nationally only."""

from collections.abc import Callable
from dataclasses import dataclass

from organisation.models import Cell
from reporting.delays import STEPS, published
from reporting.figures import Month
from reporting.models import Difficulty
from reporting.national import _sent, suppress, total

Counts = dict[str, int]


def _orientations(figures: dict) -> Counts:
    """Where the cellule oriented the young people: the care modalities under way, the mobile team asked."""
    return {**figures["measures_by_modality"], "Équipe mobile d'intervention": figures["mobile_team_requests"]["made"]}


def _activity(figures: dict) -> Counts:
    """Counts of different things, so neither added up along the row nor given with one another's sum (the
    members are the composition's row total, a range when a category is suppressed)."""
    return {"Réunions tenues": figures["meetings_held"], "Jeunes suivis": figures["young_people_followed"],
            "Familles suivies": figures["families_followed"]}


def _partners(figures: dict) -> Counts:
    """The procureur informed, and the support groups' sessions and who took part (families, other parents)."""
    groups = figures["support_groups"]
    return {"Informations du procureur": figures["prosecutor_informations"],
            "Séances de groupes de parole": groups["sessions"], "Familles suivies présentes": groups["families"],
            "Autres parents (sans dossier)": groups["other_parents"]}


# (key, title, the base counts of one département's report); a report sent before a count existed lacks it.
TABLES: list[tuple[str, str, Callable[[dict], Counts]]] = [
    ("activity", "Fonctionnement et situations suivies", _activity),
    ("composition", "Composition : membres par catégorie d'institution", lambda f: f["composition"]["by_category"]),
    ("orientations", "Orientations et modalités de prise en charge engagées", _orientations),
    ("local_prevention", "Orientations vers les dispositifs locaux de prévention (CLSPD, CISPD, réussite éducative)",
     lambda f: f["local_prevention_orientations"]["by_kind"]),
    ("sources", "Nouveaux signalements par origine", lambda f: f["new_cases_by_source"]),
    ("closures", "Clôtures par motif", lambda f: f["closures_by_reason"]),
    # The bilans' one partition published: by outcome (their situations at exit would be a second partition of
    # the same closures, and the two side by side could give a suppressed count back).
    ("outcomes", "Résultats : clôtures après accompagnement, par issue du bilan",
     lambda f: f["results"]["closures_by_outcome"]),
    ("partners", "Parquet et groupes de parole", _partners),
]


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[tuple[str, list[str], str]]  # (département, its cells as published, its total as published)
    totals: list[str]  # each column's national total, as published; none where the rows are national already
    grand: str
    additive: bool = True  # False where a row's counts are of different things: no row or grand total


def publish(key: str, title: str, counts: dict[str, Counts], additive: bool = True) -> Table:
    """A table of base counts (``{département: {column: count}}``) as it may be published."""
    columns = list(dict.fromkeys(column for row in counts.values() for column in row))
    rows = [(departement, [suppress(row.get(c, 0)) for c in columns],
             total(list(row.values())) if additive else "") for departement, row in counts.items()]
    totals = [total([row.get(c, 0) for row in counts.values()]) for c in columns]
    grand = total([n for row in counts.values() for n in row.values()]) if additive else ""
    return Table(key, title, columns, rows, totals, grand, additive)


def medians(by_departement: dict[str, dict]) -> Table:
    """Each département's median delays over its own cases, the national one over the union of all of theirs;
    « < 3 cas » under three cases. Only medians: the number of cases behind one is never published."""
    frozen = {departement: figures["delays"] for departement, figures in by_departement.items() if "delays" in figures}
    return Table("delays", "Délais médians, en jours, des étapes franchies dans le mois", [label for _, label in STEPS],
                 [(departement, [published([histograms[step]]) for step, _ in STEPS], "")
                  for departement, histograms in frozen.items()],
                 [published([histograms[step] for histograms in frozen.values()]) for step, _ in STEPS], "",
                 additive=False)


def difficulties(by_departement: dict[str, dict]) -> Table:
    """How many reports cite each category of difficulty: nationally only (a département's ticks would
    give the national count back), counts from 1 to 2 suppressed."""
    ticked = [figures["difficulty_categories"] for figures in by_departement.values()
              if "difficulty_categories" in figures]
    cited = [suppress(sum(label in labels for labels in ticked)) for label in Difficulty.labels]
    return Table("difficulties", "Difficultés rencontrées, par catégorie : comptes rendus qui la citent",
                 list(Difficulty.labels), [("France entière", cited, "")] if ticked else [], [], "", additive=False)


def steering(month: Month) -> list[Table]:
    """The month's tables over the reports sent (one query for the reports, one for their départements)."""
    sent = _sent([month])
    cells = Cell.objects.filter(pk__in=[cell for cell, _ in sent]).select_related("departement")
    by_departement = {f"{cell.departement.code} — {cell.departement.name}": sent[(cell.pk, month.first)]
                      for cell in cells.order_by("departement__code")}
    tables = []
    for key, title, counts in TABLES:
        base = {}
        for departement, figures in by_departement.items():
            try:
                base[departement] = counts(figures)
            except KeyError:  # a report frozen before this count existed
                continue
        tables.append(publish(key, title, base, additive=key not in ("activity", "partners")))
    return [*tables, medians(by_departement), difficulties(by_departement)]


def steering_rows(month: Month) -> list[tuple]:
    """The tables in the national export's rows: a title line, a header line, then the rows and totals."""
    out: list[tuple] = []
    for table in steering(month):
        out += [(), (table.title,), ("Département", *table.columns, *(("Total",) if table.additive else ()))]
        out += [(departement, *cells, *((row_total,) if table.additive else ()))
                for departement, cells, row_total in table.rows]
        if table.totals:
            out.append(("France entière", *table.totals, *((table.grand,) if table.additive else ())))
    return out
