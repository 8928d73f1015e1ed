"""The national level's view of the FIPD: per département, the year's actions added up beside the
cellule's functioning (installed, meetings held, monthly reports sent, median delays), as the note ties
the credits to "le bon fonctionnement de cette cellule". Aggregates only: no action is named, and the
counts of young people and families concerned are suppressed from 1 to 2 as the consolidation does
(``reporting.national.suppress``), their totals published as the range the shown counts imply."""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from cases.models import CareMeasure, Case, FamilyContact
from cellule.models import Meeting
from funding.models import FundedAction
from organisation.models import Cell, Departement
from reporting import periods
from reporting.models import MonthlyReport
from reporting.national import suppress, total

# A median over fewer situations would tell one young person's story; it is not published.
LEAST_FOR_A_MEDIAN = 3


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    installed: bool
    meetings: int
    reports: str  # "sent / expected"
    contact_delay: str  # median days from the signalement to the family reached, "—" when not published
    care_delay: str  # median days from the signalement to the first care measure
    actions: int
    funded: int
    requested: int
    granted: int
    young: str  # as published
    families: str


def _median(days: list[int]) -> str:
    if len(days) < LEAST_FOR_A_MEDIAN:
        return "—"
    median = statistics.median(days)
    return str(int(median)) if median == int(median) else f"{median:.1f}".replace(".", ",")


def _delays(year: int) -> dict[int, dict[str, list[int]]]:
    """Per département, the days from each signalement received in the year to its first family contact
    reached and to the start of its first care measure (those that have had one): one query."""
    contact = FamilyContact.objects.filter(case=OuterRef("pk"), outcome=FamilyContact.Outcome.REACHED)
    care = CareMeasure.objects.filter(case=OuterRef("pk"))
    cases = Case.objects.filter(received_on__year=year).values_list(
        "departement_id", "received_on", Subquery(contact.order_by("on").values("on")[:1]),
        Subquery(care.order_by("starts_on").values("starts_on")[:1]))
    found: dict[int, dict[str, list[int]]] = defaultdict(lambda: {"contact": [], "care": []})
    for departement_id, received_on, contacted_on, cared_on in cases:
        for name, end in (("contact", contacted_on), ("care", cared_on)):
            if end is not None:
                found[departement_id][name].append((end - received_on).days)
    return found


def _reports(year: int, cells: list[Cell]) -> dict[int, tuple[int, int]]:
    """Per cellule, the monthly reports sent for the year's months and the number expected: the year's
    ended months from the cellule's first (``reporting.periods``)."""
    last = periods.last_ended()
    firsts = periods.first_months(cells)
    sent = dict(MonthlyReport.objects.filter(status=MonthlyReport.Status.SENT, month__year=year)
                .values("cell_id").annotate(months=Count("month", distinct=True)).values_list("cell_id", "months"))
    expected = {}
    for cell in cells:
        first = max(firsts[cell.pk].first, datetime.date(year, 1, 1))
        end = min(last.first, datetime.date(year, 12, 1))
        expected[cell.pk] = max(0, (end.year - first.year) * 12 + end.month - first.month + 1)
    return {cell.pk: (sent.get(cell.pk, 0), expected[cell.pk]) for cell in cells}


def consolidated(year: int) -> dict:
    """The year's rows, one per département, and the national totals as published."""
    cells = {cell.departement_id: cell for cell in Cell.objects.all()}
    now = timezone.now()
    meetings = dict(Meeting.objects.filter(held_at__year=year, held_at__lte=now)
                    .exclude(status=Meeting.Status.CANCELLED).values("cell_id").annotate(n=Count("pk"))
                    .values_list("cell_id", "n"))
    reports = _reports(year, list(cells.values()))
    delays = _delays(year)
    counted = ~Q(status=FundedAction.Status.REFUSED)
    funding = {row["cell_id"]: row for row in FundedAction.objects.filter(year=year).values("cell_id").annotate(
        actions=Count("pk"), financed=Count("pk", filter=Q(status__in=FundedAction.FUNDED)),
        requested=Sum("amount_requested"), granted=Sum("amount_granted", filter=Q(status__in=FundedAction.FUNDED)),
        young=Sum("young_people", filter=counted), families=Sum("families", filter=counted))}
    rows, young, families = [], [], []
    for departement in Departement.objects.all():
        cell = cells.get(departement.pk)
        money = funding.get(cell.pk, {}) if cell else {}
        sent, expected = reports.get(cell.pk, (0, 0)) if cell else (0, 0)
        if money:
            young.append(money["young"] or 0)
            families.append(money["families"] or 0)
        rows.append(Row(
            code=departement.code, name=departement.name,
            installed=bool(cell and cell.installed_on and cell.installed_on <= datetime.date(year, 12, 31)),
            meetings=meetings.get(cell.pk, 0) if cell else 0, reports=f"{sent} / {expected}",
            contact_delay=_median(delays[departement.pk]["contact"]),
            care_delay=_median(delays[departement.pk]["care"]),
            actions=money.get("actions", 0), funded=money.get("financed", 0), requested=money.get("requested") or 0,
            granted=money.get("granted") or 0,
            young=suppress(money["young"] or 0) if money else "—",
            families=suppress(money["families"] or 0) if money else "—"))
    return {"rows": rows, "totals": {
        "actions": sum(r.actions for r in rows), "funded": sum(r.funded for r in rows),
        "requested": sum(r.requested for r in rows), "granted": sum(r.granted for r in rows),
        "young": total(young), "families": total(families),
        "departements": sum(1 for r in rows if r.actions)}}


HEADERS = ("Département", "Nom", "Cellule installée", "Réunions tenues", "Comptes rendus transmis / attendus",
           "Délai médian jusqu'au contact avec la famille (jours)",
           "Délai médian jusqu'à la prise en charge (jours)", "Actions", "Actions financées",
           "Montant demandé (euros)", "Montant accordé (euros)", "Jeunes concernés", "Familles concernées")


def consolidated_rows(year: int) -> tuple[str, tuple, list[tuple]]:
    """The national aggregate as a table for the CSV and XLSX exports (``organisation.spreadsheets``)."""
    data = consolidated(year)
    yes = {True: "oui", False: "non"}
    table: list[tuple] = [(r.code, r.name, yes[r.installed], r.meetings, r.reports, r.contact_delay, r.care_delay,
                           r.actions, r.funded, r.requested, r.granted, r.young, r.families) for r in data["rows"]]
    t = data["totals"]
    table.append(("Total", "", "", "", "", "", "", t["actions"], t["funded"], t["requested"], t["granted"],
                  t["young"], t["families"]))
    return f"Crédits du FIPD et fonctionnement des cellules — synthèse nationale {year}", HEADERS, table
