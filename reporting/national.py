"""The national consolidation of the monthly reports: aggregates only, small counts suppressed.

The ministry never sees a name or a case reference: only the figures the préfectures sent, and
any count from 1 to 2 is shown as "< 3" so that nobody can be singled out.
"""

from django.utils.html import escape

from cellule.models import Meeting
from organisation.models import Cell, Departement
from reporting.figures import Month
from reporting.models import MonthlyReport

SUPPRESSED = "< 3"


def suppress(count: int | None) -> str:
    if count is None:
        return "—"
    return SUPPRESSED if 1 <= count <= 2 else str(count)


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
    rows, totals = [], {"young": 0, "families": 0}
    for departement in Departement.objects.all():
        cell = cells.get(departement.pk)
        installed = bool(cell and cell.installed_on and cell.installed_on <= month.last)
        sent = figures.get((cell.pk, month.first)) if cell else None
        if sent:
            totals["young"] += sent["young_people_followed"]
            totals["families"] += sent["families_followed"]
        rows.append({
            "code": departement.code, "name": departement.name, "installed": installed,
            "met": bool(cell and cell.pk in met), "sent": sent is not None,
            "young": suppress(sent["young_people_followed"]) if sent else "—",
            "families": suppress(sent["families_followed"]) if sent else "—",
        })
    return {
        "rows": rows,
        "totals": {"young": suppress(totals["young"]), "families": suppress(totals["families"]),
                   "sent": sum(r["sent"] for r in rows), "installed": sum(r["installed"] for r in rows)},
        "not_installed": [r for r in rows if not r["installed"]],
        "not_met": [r for r in rows if r["installed"] and not r["met"]],
        "not_reported": [r for r in rows if r["installed"] and not r["sent"]],
    }


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
    totals = [sum(f["young_people_followed"] for (_, first), f in sent.items() if first == m.first)
              if any(first == m.first for _, first in sent) else None for m in months]
    top = max([t for t in totals if t and not 1 <= t <= 2] + [1])
    bar, chart_height = width // 12, height - 50
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="chart-title"><title id="chart-title">Jeunes suivis par mois, '
             f'{escape(months[0].label())} à {escape(months[-1].label())}</title>']
    for i, (m, total) in enumerate(zip(months, totals, strict=True)):
        shown = 0 if total is None or 1 <= total <= 2 else total
        h = int(chart_height * shown / top)
        x = i * bar + 6
        parts.append(f'<rect x="{x}" y="{20 + chart_height - h}" width="{bar - 12}" height="{h}" fill="#000091"/>')
        parts.append(f'<text x="{x + (bar - 12) // 2}" y="{14 + chart_height - h}" font-size="12" '
                     f'text-anchor="middle">{escape(suppress(total))}</text>')
        parts.append(f'<text x="{x + (bar - 12) // 2}" y="{height - 12}" font-size="11" '
                     f'text-anchor="middle">{m.first:%m/%y}</text>')
    parts.append("</svg>")
    return "".join(parts)
