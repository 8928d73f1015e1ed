"""The monthly report: the coordinator's page, and the national consolidated view (aggregates only);
the coordinator's dashboard."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

import audit
from cases.stagnation import stagnant
from organisation import policy
from organisation.errors import ActionRefused
from organisation.models import Cell
from organisation.spreadsheets import download
from reporting import actions as report_actions
from reporting import dashboard as board
from reporting import periods
from reporting.charts import cellule_charts
from reporting.exports import HEADERS, rows, title
from reporting.figures import Month
from reporting.forms import ReportForm
from reporting.models import MonthlyReport
from reporting.national import consolidated, consolidated_rows
from reporting.rules import ReportRight
from reporting.steering import steering, steering_rows
from reporting.trends import charts as national_charts
from ui.errors import Refusal
from ui.forms import add_errors


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


TEXTS = ("results", "difficulties")  # the report's free texts, in the page's order
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
    """The report's table, its texts and its buttons; a refusal or an error is summed up on top of the
    page, which opens on it, and the texts typed stay on the page."""
    cell, period = _cell(request), _month(month)
    if (report := _current(request, cell, period)) is None:
        return redirect("reports:list")
    posted = request.POST if request.method == "POST" else None
    form = ReportForm(posted, sending=bool(posted and {"send", "resend"} & posted.keys()),
                      initial={"results": report.results, "difficulties": report.difficulties,
                               "categories": report.difficulty_categories})
    if posted is not None and form.is_valid():
        try:
            if done := _act(request.user, report, form):
                messages.success(request, done)
            return redirect("reports:detail", month=str(period))
        except Refusal as refusal:  # the entry points' (ActionRefused) and any other said in French
            form.add_error(None, refusal.message)
        except ValidationError as error:
            add_errors(form, error)
        report = report_actions.current(request.user, cell, period)  # as the refusal left it
    figures = report_actions.figures_of(report)
    versions = MonthlyReport.objects.filter(cell=cell, month=period.first).order_by("-version")
    return render(request, "reports/report_detail.html", {
        "cell": cell, "month": period, "report": report, "form": form, "versions": versions,
        "unsaved": _unsaved(report, form), "recipients": settings.REPORT_RECIPIENTS, "title": title(figures),
        "rows": rows(figures, report.results, report.difficulties)},
        status=400 if form.errors else 200)


def _act(actor: User, report: MonthlyReport, form: ReportForm) -> str:
    """Do what the button posted asks of the entry points; the page's message once done."""
    texts = {name: form.cleaned_data[name] for name in TEXTS}
    categories = form.cleaned_data["categories"]
    changed = (any(texts[name] != getattr(report, name) for name in TEXTS)
               or set(categories) != set(report.difficulty_categories))
    if "save" in form.data:
        report_actions.edit(actor, report, **texts, categories=categories)
        return "Textes enregistrés."
    if "validate" in form.data:
        if changed:  # the texts typed are the ones validated, never lost
            report = report_actions.edit(actor, report, **texts, categories=categories)
        report_actions.validate(actor, report)
        return "Compte rendu validé."
    if "send" in form.data:
        if changed:
            raise ActionRefused("Les textes ont été modifiés depuis la validation : enregistrez-les puis "
                                "validez de nouveau avant d'envoyer. Rien n'a été envoyé.")
        report_actions.send(actor, report)
        return SENDING
    if "resend" in form.data:  # after a failure: the frozen texts
        report_actions.send(actor, report)
        return SENDING
    if "correct" in form.data:
        report_actions.correct(actor, report)
        return "Nouvelle version créée : corrigez-la puis validez-la."
    return ""


def _unsaved(report: MonthlyReport, form: ReportForm) -> list[tuple[str, str]]:
    """The texts posted that a frozen report did not take (it was sent meanwhile): shown to be copied,
    as its form, which would keep them, is no longer on the page."""
    if report.status not in report_actions.LOCKED:
        return []
    return [(str(form.fields[name].label), form.data[name]) for name in TEXTS
            if form.data.get(name, "").strip() and form.data[name] != getattr(report, name)]


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


FORMATS = ("csv", "xlsx")


def report_export(request, month: str, fmt: str):
    if fmt not in FORMATS:
        raise Http404("Format inconnu.")
    cell, period = _cell(request), _month(month)
    if (report := _current(request, cell, period)) is None:
        return redirect("reports:list")
    figures = report_actions.figures_of(report)
    heading, table = title(figures), rows(figures, report.results, report.difficulties)
    audit.record(f"export.report_{fmt}", object_type="reporting.monthlyreport", object_id=report.pk or "",
                 departement=cell.departement.code,
                 details={"mois": str(period), "version": report.version})
    return download(heading, table, HEADERS, f"compte-rendu-{cell.departement.code}-{period}", fmt)


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
        "month": month, "data": data, "charts": national_charts(month), "tables": steering(month),
        "previous": month.previous() if month > first else None, "next": month.next() if month < last else None})


def national_export(request, month: str, fmt: str):
    _national(request)
    if fmt not in FORMATS:
        raise Http404("Format inconnu.")
    period, why = _national_month(month)
    if why:
        return _shown_instead(request, period, why)
    heading, headers, table = consolidated_rows(period)
    table += steering_rows(period)  # then the steering tables, each with its title and its columns
    audit.record(f"export.national_{fmt}", details={"mois": str(period)})
    return download(heading, table, headers, f"consolidation-nationale-{period}", fmt)
