"""The alerts on unusual reading: their list and each one's events, for the coordinators of the
account's cellule (who examine them and set the floor) and the inspection under a mandate (read only).
Every page names accounts and what they read: each is a read, recorded."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

import audit
from audit.models import Event
from cases import event_texts
from organisation import policy
from ui.forms import submit
from vigilance import actions
from vigilance.forms import ExamineForm, FloorForm
from vigilance.models import ReadingAlert
from vigilance.rules import VigilanceRight, alerts_visible_to

PAGE_SIZE = 50


def _may_view(request) -> None:
    """The list is a 404 to whoever sees no alert, recorded as any refusal."""
    if not policy.can(request.user, VigilanceRight.VIEW_ALERTS):
        audit.record_denied(policy.AccessDenied(request.user, VigilanceRight.VIEW_ALERTS))
        raise Http404("Page introuvable.")


def _floor_form(request, data=None) -> FloorForm | None:
    """The floor of the cellule the user coordinates, None for the inspection."""
    if not policy.scope(request.user).coordinated_cell_ids:
        return None
    cell = policy.coordinated_cell(request.user, VigilanceRight.SET_THRESHOLD)
    return FloorForm(data, initial={"floor": cell.reading_alert_floor})


@require_safe
def alert_list(request):
    return _list(request)


def _list(request, floor_form: FloorForm | None = None):
    """The alerts, those to examine first; with the floor's form as posted (``floor_form``) when refused."""
    _may_view(request)
    alerts = (alerts_visible_to(request.user).select_related("cell__departement", "account", "examined_by")
              .order_by("examined_at", "-day", "-pk"))  # those to examine first
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    for code in sorted({alert.cell.departement.code for alert in page}):
        audit.record("reading_alert.list", departement=code, details={"page": request.path})
    return render(request, "vigilance/alert_list.html", {
        "page": page, "query": request.GET, "floor_form": floor_form or _floor_form(request)},
        status=400 if floor_form is not None else 200)


@require_POST
def set_floor(request):
    cell = policy.coordinated_cell(request.user, VigilanceRight.SET_THRESHOLD)
    form = FloorForm(request.POST)
    if submit(request, form, "Enregistrer le seuil", lambda data: actions.set_floor(request.user, cell, **data),
              done="Seuil de la cellule enregistré."):
        return redirect("vigilance:list")
    return _list(request, floor_form=form)


def alert_detail(request, pk: int):
    alert = policy.get_or_404(request.user, VigilanceRight.VIEW_ALERTS,
                              ReadingAlert.objects.select_related("cell__departement", "account", "examined_by"), pk=pk)
    examinable = alert.examined_at is None and policy.can(request.user, VigilanceRight.EXAMINE_ALERT, alert)
    form = ExamineForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        policy.require(request.user, VigilanceRight.EXAMINE_ALERT, alert)
        def examine(data: dict) -> ReadingAlert:
            return actions.examine_alert(request.user, alert, **data)

        if submit(request, form, "Marquer comme examinée", examine, done="Alerte marquée comme examinée."):
            return redirect("vigilance:detail", pk=alert.pk)
    events = list(Event.objects.filter(pk__in=alert.event_ids).order_by("time", "id"))
    event_texts.resolve(events)
    audit.record("reading_alert.view", obj=alert, departement=alert.cell.departement.code, details={
        "compte": alert.account.get_username(), "jour": alert.day.isoformat(), "événements": len(events)})
    return render(request, "vigilance/alert_detail.html", {
        "alert": alert, "events": events, "form": form if examinable else None},
        status=400 if form.is_bound else 200)
