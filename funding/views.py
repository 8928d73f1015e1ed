"""The FIPD's pages: a cellule's actions for its coordinators (list, entry, edit, exports), and the national
level's aggregate per département beside each cellule's functioning (``funding.national``)."""

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

import audit
from funding import actions
from funding import national as aggregate
from funding.amounts import euros
from funding.forms import FundedActionForm
from funding.models import FIRST_YEAR, FundedAction
from funding.rules import FundingRight
from organisation import policy
from organisation.models import Cell
from organisation.spreadsheets import download
from ui.forms import submit


def _cell(request) -> Cell:
    return policy.coordinated_cell(request.user, FundingRight.MANAGE_FUNDING)


@require_safe
def action_list(request):
    """The cellule's actions, the latest year first, with each year's totals."""
    cell = _cell(request)
    funded = Q(status__in=FundedAction.FUNDED)
    years = (FundedAction.objects.filter(cell=cell).values("year").order_by("-year")
             .annotate(actions=Count("pk"), funded=Count("pk", filter=funded), requested=Sum("amount_requested"),
                       granted=Sum("amount_granted", filter=funded)))
    return render(request, "funding/list.html", {
        "cell": cell, "years": years,
        "actions": FundedAction.objects.filter(cell=cell).select_related("institution")})


def action_create(request):
    cell = _cell(request)
    form = FundedActionForm(request.POST if request.method == "POST" else None, cell=cell)
    if submit(request, form, "Action FIPD", lambda data: actions.create_funded_action(request.user, cell, **data),
              done="Action FIPD enregistrée."):
        return redirect("funding:list")
    return render(request, "funding/form.html", {"cell": cell, "form": form, "action": None},
                  status=400 if form.errors else 200)


def action_edit(request, pk: int):
    action = policy.get_or_404(request.user, FundingRight.MANAGE_FUNDING,
                               FundedAction.objects.select_related("cell__departement"), pk=pk)
    form = FundedActionForm(request.POST if request.method == "POST" else None, cell=action.cell, action=action)
    if submit(request, form, "Action FIPD", lambda data: actions.update_funded_action(request.user, action, **data),
              done="Action FIPD modifiée."):
        return redirect("funding:list")
    return render(request, "funding/form.html", {"cell": action.cell, "form": form, "action": action},
                  status=400 if form.errors else 200)


HEADERS = ("Année", "Intitulé", "Porteur", "État", "Montant demandé (euros)", "Montant accordé (euros)",
           "Jeunes concernés", "Familles concernées", "Objectifs et contenu")


@require_safe
def action_export(request, fmt: str):
    """The cellule's actions for the funding campaign, every year, as CSV or XLSX."""
    cell = _cell(request)
    rows = [(a.year, a.title, a.operator, a.get_status_display(), a.amount_requested,
             "" if a.amount_granted is None else a.amount_granted, a.young_people, a.families, a.description)
            for a in FundedAction.objects.filter(cell=cell).select_related("institution")]
    response = download(f"Actions financées par le FIPD — {cell}", rows, HEADERS,
                        f"actions-fipd-{cell.departement.code}", fmt, "Actions FIPD")
    audit.record(f"export.funding_{fmt}", obj=cell, departement=cell.departement.code, details={"actions": len(rows)})
    return response


def _year(request) -> int | None:
    """The year asked (``?annee=``), this year by default; None when it is none of the campaign's (the
    page says so and shows this year)."""
    this_year = timezone.localdate().year
    asked = request.GET.get("annee", "")
    if not asked:
        return this_year
    if asked.isdigit() and FIRST_YEAR <= int(asked) <= this_year + 1:
        return int(asked)
    messages.error(request, f"L'année est un nombre de {FIRST_YEAR} à {this_year + 1} : voici {this_year}.")
    return None


def _s(number: int) -> str:
    """French puts the plural from two on: "0 action", "1 action", "2 actions"."""
    return "s" if number > 1 else ""


@require_safe
def national(request):
    policy.require(request.user, FundingRight.VIEW_FUNDING_AGGREGATES)
    if (year := _year(request)) is None:
        return redirect(reverse("funding:national"))
    audit.record("funding.national_view", details={"année": year})
    this_year, data = timezone.localdate().year, aggregate.consolidated(year)
    t = data["totals"]
    n, funded, places = t["actions"], t["funded"], t["departements"]
    totals = [(n, f"action{_s(n)} dans {places} département{_s(places)}"),
              (funded, f"action{_s(funded)} financée{_s(funded)}"), (euros(t["requested"]), "demandés"),
              (euros(t["granted"]), "accordés"),
              (t["young"], "jeunes concernés"), (t["families"], "familles concernées")]
    return render(request, "funding/national.html", {
        "year": year, "data": data, "totals": totals,
        "previous": year - 1 if year > FIRST_YEAR else None, "next": year + 1 if year <= this_year else None})


@require_safe
def national_export(request, year: int, fmt: str):
    policy.require(request.user, FundingRight.VIEW_FUNDING_AGGREGATES)
    if not FIRST_YEAR <= year <= timezone.localdate().year + 1:
        messages.error(request, f"Aucune synthèse pour {year}.")
        return redirect(reverse("funding:national"))
    heading, headers, table = aggregate.consolidated_rows(year)
    response = download(heading, table, headers, f"fipd-synthese-nationale-{year}", fmt, "Synthèse FIPD")
    audit.record(f"export.funding_national_{fmt}", details={"année": year})
    return response
