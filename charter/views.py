"""The charter's page (read, then accepted: the one page open to who has not accepted it yet) and the
acceptances of a cellule's members (its coordinators; the inspection under a mandate, read only)."""

from django import forms
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

import audit
from charter import actions
from charter.models import Acceptance, Version
from charter.rules import CharterRight
from organisation import policy
from organisation.models import Cell, Membership
from ui.forms import BaseForm, submit


class AcceptForm(BaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=dict.fromkeys(
        ("required", "invalid"), "La version lue manque : rouvrez la charte."))
    read = forms.BooleanField(label="J'ai lu la charte de confidentialité et je m'engage à la respecter.",
                              error_messages={"required": "Cochez la case pour accepter la charte."})

    def entry_point_arguments(self) -> dict:
        return {"number": self.cleaned_data["version"]}


def _next(request) -> str:
    """Where the person was going when they were sent here, if it is a page of the product."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure())
    return target if safe and target.startswith("/") else ""


def page(request):
    current = Version.objects.current()
    asked = policy.can(request.user, CharterRight.ACCEPT)
    form = AcceptForm(request.POST if request.method == "POST" else None,
                      initial={"version": current.number if current else None})
    if form.is_bound:
        policy.require(request.user, CharterRight.ACCEPT)
        if submit(request, form, "Charte", lambda data: actions.accept_charter(request.user, **data),
                  done="Charte acceptée : merci. Vous pouvez accéder aux situations."):
            return redirect(_next(request) or "home")
    accepted = (Acceptance.objects.filter(user=request.user, version=current).first()
                if current is not None else None)
    return render(request, "charter/page.html", {
        "version": current, "asked": asked, "accepted": accepted, "form": form, "next": _next(request)},
        status=400 if form.is_bound else 200)


@require_safe
def acceptances(request, code: str):
    cell = policy.get_or_404(request.user, CharterRight.VIEW_ACCEPTANCES, Cell.objects.select_related("departement"),
                             departement__code=code)
    current = Version.objects.current()
    members = list(Membership.objects.active(timezone.localdate()).filter(cell=cell)
                   .select_related("user", "institution").order_by("user__last_name", "user__first_name"))
    latest: dict[int, Acceptance] = {}
    for acceptance in (Acceptance.objects.filter(user__in=[m.user_id for m in members])
                       .select_related("version").order_by("accepted_at")):
        latest[acceptance.user_id] = acceptance  # the last one wins
    rows = [(m, latest.get(m.user_id)) for m in members]
    audit.record("charter.acceptances_view", obj=cell, departement=cell.departement.code)
    return render(request, "charter/acceptances.html", {
        "cell": cell, "version": current, "rows": rows,
        "up_to_date": sum(1 for _, a in rows if a is not None and current is not None and a.version_id == current.pk)})
