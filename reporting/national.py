"""The national consolidation of the monthly reports: aggregates only, small counts suppressed.

The ministry never sees a name or a case reference: only the figures the préfectures sent, and
any count from 1 to 2 is shown as "< 3" so that nobody can be singled out. A total over suppressed
counts would give them back (the total less the counts shown): it is published as the range the
shown counts already imply, each suppressed one being 1 or 2 (``total``), exact only when nothing
in it is suppressed. The charts' monthly totals (``reporting.trends``) follow the same rule: each is drawn
at the least it can be (what the range already publishes) and its table gives the range.
"""

from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

from django.db.models import Q

from cellule.models import Meeting
from organisation.models import Cell, Departement
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


def _held_in(month: Month, zones: set[str]) -> Q:
    """The meetings held in the month, each cellule's month on its own clock, as its report counts them."""
    return reduce(or_, (Q(cell__departement__time_zone=zone, held_at__gte=month.at(ZoneInfo(zone)).start,
                          held_at__lt=month.at(ZoneInfo(zone)).end) for zone in zones), Q(pk__in=[]))


def consolidated(month: Month) -> dict:
    cells = {cell.departement_id: cell for cell in Cell.objects.select_related("departement")}
    zones = {cell.departement.time_zone for cell in cells.values()}
    met = set(Meeting.objects.filter(_held_in(month, zones)).values_list("cell_id", flat=True))
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
    """The results the reports sent give beside the bilans' outcomes (a steering table per département): the
    follow-up reviews and the plans' objectives by domain and result, each a national total as published
    (``total``). Not the bilans' count nor their situations at exit, which the outcomes' table would let one
    subtract a suppressed count from; reports sent before the bilans were counted add nothing."""
    per_item: dict[str, list[int]] = {}
    for figures in sent:
        if "results" not in figures:
            continue
        per_item.setdefault("Revues de suivi", []).append(figures["results"]["reviews"])
        for domain, by_result in figures["results"]["objectives_by_domain"].items():
            for result, count in by_result.items():
                per_item.setdefault(f"Objectifs « {domain} » — {result.lower()}", []).append(count)
    return [(item, total(counts)) for item, counts in per_item.items() if any(counts)]


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
