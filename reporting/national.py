"""The national consolidation of the monthly reports: aggregates only, small counts suppressed.

The ministry never sees a name or a case reference: only the figures the préfectures sent, and
any count from 1 to 2 is shown as "< 3" so that nobody can be singled out. A total over suppressed
counts would give them back (the total less the counts shown): it is published as the range the
shown counts already imply, each suppressed one being 1 or 2 (``total``), exact only when nothing
in it is suppressed. The chart's monthly totals follow the same rule.
"""

from django.utils.html import escape

from cellule.models import Meeting
from organisation.models import Cell, Departement
from reporting.exports import result_rows
from reporting.figures import Month
from reporting.models import MonthlyReport

SUPPRESSED = "< 3"


def suppress(count: int | None) -> str:
    if count is None:
        return "—"
    return SUPPRESSED if _small(count) else str(count)


def _small(count: int) -> bool:
    return 1 <= count <= 2


def bounds(counts: list[int]) -> tuple[int, int]:
    """The least and the most the total of ``counts`` can be, knowing only what is published."""
    shown, hidden = sum(c for c in counts if not _small(c)), sum(1 for c in counts if _small(c))
    return shown + hidden, shown + 2 * hidden


def total(counts: list[int]) -> str:
    """The total of counts as published: exact when none is suppressed, else the range they imply."""
    least, most = bounds(counts)
    return str(least) if least == most else f"{least} à {most}"


def _sent(months: list[Month]) -> dict:
    """The latest sent version of each cellule's report, per month: {(cell_id, month_first): figures}."""
    sent = MonthlyReport.objects.filter(status=MonthlyReport.Status.SENT, month__in=[m.first for m in months])
    latest = {}
    for report in sent.order_by("version").only("cell_id", "month", "figures", "version"):
        latest[(report.cell_id, report.month)] = report.figures
    return latest


def consolidated(month: Month) -> dict:
    cells = {cell.departement_id: cell for cell in Cell.objects.all()}
    met = set(Meeting.objects.filter(held_at__gte=month.start, held_at__lt=month.end).values_list("cell_id", flat=True))
    figures = _sent([month])
    rows: list = []
    counts: dict[str, list] = {"young": [], "families": []}
    for departement in Departement.objects.all():
        cell = cells.get(departement.pk)
        installed = bool(cell and cell.installed_on and cell.installed_on <= month.last)
        sent = figures.get((cell.pk, month.first)) if cell else None
        if sent:
            counts["young"].append(sent["young_people_followed"])
            counts["families"].append(sent["families_followed"])
        rows.append({
            "code": departement.code, "name": departement.name, "installed": installed,
            "met": bool(cell and cell.pk in met), "sent": sent is not None,
            "young": suppress(sent["young_people_followed"]) if sent else "—",
            "families": suppress(sent["families_followed"]) if sent else "—",
        })
    return {
        "rows": rows,
        "results": results(figures.values()),
        "totals": {"young": total(counts["young"]), "families": total(counts["families"]),
                   "sent": sum(r["sent"] for r in rows), "installed": sum(r["installed"] for r in rows)},
        "not_installed": [r for r in rows if not r["installed"]],
        "not_met": [r for r in rows if r["installed"] and not r["met"]],
        "not_reported": [r for r in rows if r["installed"] and not r["sent"]],
    }


def results(sent) -> list[tuple[str, str]]:
    """The results sections of the reports sent, added up nationally: (item, count as published), each
    count from 1 to 2 suppressed (reports sent before the bilans were counted add nothing)."""
    totals: dict[str, int] = {}
    for figures in sent:
        for item, count in result_rows(figures["results"]) if "results" in figures else []:
            totals[item] = totals.get(item, 0) + count
    return [(item, suppress(count)) for item, count in totals.items()]


HEADERS = ("Département", "Nom", "Cellule installée", "Réunion dans le mois", "Compte rendu transmis",
           "Jeunes suivis", "Familles suivies")


def consolidated_rows(month: Month) -> tuple[str, tuple, list[tuple]]:
    data = consolidated(month)
    yes = {True: "oui", False: "non"}
    table = [(r["code"], r["name"], yes[r["installed"]], yes[r["met"]], yes[r["sent"]], r["young"], r["families"])
             for r in data["rows"]]
    totals = data["totals"]
    table.append(("Total", f"{totals['sent']} comptes rendus transmis", totals["installed"], "", "",
                  totals["young"], totals["families"]))
    return f"Consolidation nationale des comptes rendus mensuels — {month.label()}", HEADERS, table


def chart_svg(month: Month, width: int = 720, height: int = 240) -> str:
    """Young people followed nationally over the 12 months up to ``month``, as a bar chart (SVG)."""
    months = [month.previous(n) for n in range(11, -1, -1)]
    sent = _sent(months)
    # None where no cellule has sent its report for the month yet: shown "—", not 0.
    counts = [[f["young_people_followed"] for (_, first), f in sent.items() if first == m.first] for m in months]
    totals = [bounds(month_counts) if month_counts else None for month_counts in counts]
    top = max([most for _, most in filter(None, totals)] + [1])
    bar, chart_height = width // 12, height - 50
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="chart-title"><title id="chart-title">Jeunes suivis par mois, '
             f'{escape(months[0].label())} à {escape(months[-1].label())}</title>']
    for i, (m, month_counts, range_) in enumerate(zip(months, counts, totals, strict=True)):
        h = int(chart_height * range_[0] / top) if range_ else 0  # the bar up to the least it can be
        label = total(month_counts) if range_ else "—"
        x = i * bar + 6
        parts.append(f'<rect x="{x}" y="{20 + chart_height - h}" width="{bar - 12}" height="{h}" fill="#000091"/>')
        parts.append(f'<text x="{x + (bar - 12) // 2}" y="{14 + chart_height - h}" font-size="12" '
                     f'text-anchor="middle">{escape(label)}</text>')
        parts.append(f'<text x="{x + (bar - 12) // 2}" y="{height - 12}" font-size="11" '
                     f'text-anchor="middle">{m.first:%m/%y}</text>')
    parts.append("</svg>")
    return "".join(parts)
