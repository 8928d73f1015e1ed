"""The monthly report: the coordinator's page, and the national consolidated view (aggregates only);
the coordinator's dashboard."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

import audit
from cases.stagnation import stagnant
from organisation import policy
from organisation.errors import ActionRefused
from organisation.models import Cell
from organisation.spreadsheets import to_csv, to_xlsx
from reporting import actions as report_actions
from reporting import dashboard as board
from reporting import periods
from reporting.charts import cellule_charts
from reporting.exports import HEADERS, rows, title
from reporting.figures import Month, compute
from reporting.forms import SendForm, TextsForm
from reporting.models import MonthlyReport
from reporting.national import charts as national_charts
from reporting.national import consolidated, consolidated_rows
from reporting.rules import ReportRight

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError:
        raise Http404("Mois invalide.") from None


def _cell(request) -> Cell:
    return policy.coordinated_cell(request.user, ReportRight.MANAGE_REPORT)


def report_list(request):
    """The last twelve months of the cellule's life, the current one first."""
    cell = _cell(request)
    first, this_month = periods.first_month(cell), periods.this_month()
    months = [month for month in (this_month.previous(n) for n in range(12)) if month >= first]
    # The latest version of each month (ordered by version, the last one wins).
    latest = {r.month: r for r in MonthlyReport.objects.filter(cell=cell, month__gte=this_month.previous(11).first)
              .order_by("month", "version")}
    return render(request, "reports/report_list.html", {
        "cell": cell, "rows": [(month, latest.get(month.first)) for month in months]})


SENDING = ("Compte rendu mis en file d'envoi : il sera « Envoyé » dès que le serveur de messagerie l'aura "
           "accepté.")


def _current(request, cell: Cell, period: Month) -> MonthlyReport | None:
    """The month's report, or None when the month is none of the cellule's (the refusal is on the page)."""
    try:
        return report_actions.current(request.user, cell, period)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return None


def report_detail(request, month: str):
    cell, period = _cell(request), _month(month)
    if (report := _current(request, cell, period)) is None:
        return redirect("reports:list")
    form = TextsForm(request.POST if request.method == "POST" else None,
                     initial={"results": report.results, "difficulties": report.difficulties})
    send_form = SendForm(request.POST if request.method == "POST" and {"send", "resend"} & request.POST.keys()
                         else None)
    if request.method == "POST":
        try:
            if "save" in request.POST and form.is_valid():
                report_actions.edit(request.user, report, **form.cleaned_data)
                messages.success(request, "Textes enregistrés.")
            elif "validate" in request.POST and form.is_valid():
                if _texts_changed(report, form):  # the texts typed are the ones validated, never lost
                    report = report_actions.edit(request.user, report, **form.cleaned_data)
                report_actions.validate(request.user, report)
                messages.success(request, "Compte rendu validé.")
            elif "send" in request.POST and form.is_valid() and send_form.is_valid():  # else shown, nothing sent
                if _texts_changed(report, form):
                    raise ActionRefused("Les textes ont été modifiés depuis la validation : enregistrez-les puis "
                                        "validez de nouveau avant d'envoyer. Rien n'a été envoyé.")
                report_actions.send(request.user, report)
                messages.success(request, SENDING)
            elif "resend" in request.POST and send_form.is_valid():  # after a failure: the frozen texts
                report_actions.send(request.user, report)
                messages.success(request, SENDING)
            elif "correct" in request.POST:
                report_actions.correct(request.user, report)
                messages.success(request, "Nouvelle version créée : corrigez-la puis validez-la.")
            if not form.errors and not send_form.errors:
                return redirect("reports:detail", month=str(period))
        except ActionRefused as refusal:
            messages.error(request, refusal.message)
        except ValidationError as error:
            form.add_error(None, error)
    figures = report.figures or compute(cell, period)
    versions = MonthlyReport.objects.filter(cell=cell, month=period.first).order_by("-version")
    return render(request, "reports/report_detail.html", {
        "cell": cell, "month": period, "report": report, "form": form, "send_form": send_form, "versions": versions,
        "recipients": settings.REPORT_RECIPIENTS, "title": title(figures),
        "rows": rows(figures, report.results, report.difficulties)},
        status=400 if form.errors or send_form.errors else 200)


def dashboard(request):
    """The cellule's figures of the day for its coordinators: counts and agents' names, no case named;
    the names with their caseloads are a read, recorded."""
    cell = policy.coordinated_cell(request.user, ReportRight.VIEW_DASHBOARD)
    caseloads = board.caseloads(cell)
    stalled = stagnant(cell)
    audit.record("dashboard.view", obj=cell, departement=cell.departement.code,
                 details={"référents": sum(load.referent_id is not None for load in caseloads),
                          **({"signalements": [case.reference for case in stalled]} if stalled else {})})
    return render(request, "reports/dashboard.html", {
        "cell": cell, "caseloads": caseloads, "tasks": board.task_counts(cell), "requests": board.team_requests(cell),
        "stalled": stalled,
        "charts": cellule_charts(cell.departement_id, periods.this_month())})


def _texts_changed(report: MonthlyReport, form: TextsForm) -> bool:
    return any(form.cleaned_data[name] != getattr(report, name) for name in ("results", "difficulties"))


FORMATS = ("csv", "xlsx")


def report_export(request, month: str, fmt: str):
    if fmt not in FORMATS:
        raise Http404("Format inconnu.")
    cell, period = _cell(request), _month(month)
    if (report := _current(request, cell, period)) is None:
        return redirect("reports:list")
    figures = report.figures or compute(cell, period)
    heading, table = title(figures), rows(figures, report.results, report.difficulties)
    audit.record(f"export.report_{fmt}", object_type="reporting.monthlyreport", object_id=report.pk or "",
                 departement=cell.departement.code,
                 details={"mois": str(period), "version": report.version})
    return _download(heading, table, f"compte-rendu-{cell.departement.code}-{period}", fmt)


def _download(heading: str, table: list, name: str, fmt: str, headers=None) -> HttpResponse:
    headers = headers or HEADERS
    if fmt == "csv":
        response = HttpResponse(to_csv(heading, table, headers), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(to_xlsx(heading, table, headers), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _national(request) -> None:
    policy.require(request.user, ReportRight.VIEW_AGGREGATES)


def _national_month(text: str) -> tuple[Month, str]:
    """The month of the national view that ``text`` asks for, within the view's months (``periods``),
    and why another one is shown instead ("" when it is the one asked)."""
    first, last = periods.national_months()
    try:
        month = Month.parse(text)
    except ValueError as error:
        return last, f"{error} Voici le dernier mois terminé, {last.label()}."
    nearest = min(max(month, first), last)
    if nearest != month:
        return nearest, (f"La consolidation nationale couvre les mois {first.of_label()} à {last.label()} "
                         f"(mois terminés) : voici {nearest.label()}.")
    return month, ""


def _shown_instead(request, month: Month, why: str):
    messages.error(request, why)
    return redirect(f"{reverse('national:view')}?mois={month}")


def national(request):
    """The consolidation of a month, the last ended one unless another is asked (``?mois=``)."""
    _national(request)
    first, last = periods.national_months()
    month, why = _national_month(request.GET["mois"]) if request.GET.get("mois") else (last, "")
    if why:
        return _shown_instead(request, month, why)
    data = consolidated(month)
    audit.record("national.view", details={"mois": str(month)})
    return render(request, "reports/national.html", {
        "month": month, "data": data, "charts": national_charts(month),
        "previous": month.previous() if month > first else None, "next": month.next() if month < last else None})


def national_export(request, month: str, fmt: str):
    _national(request)
    if fmt not in FORMATS:
        raise Http404("Format inconnu.")
    period, why = _national_month(month)
    if why:
        return _shown_instead(request, period, why)
    heading, headers, table = consolidated_rows(period)
    audit.record(f"export.national_{fmt}", details={"mois": str(period)})
    return _download(heading, table, f"consolidation-nationale-{period}", fmt, headers)
