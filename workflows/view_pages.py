"""Saving and removing a list's view (``workflows.saved_views``), from the list it belongs to."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from organisation import policy
from organisation.errors import ActionRefused
from workflows import saved_views
from workflows.models import SavedView
from workflows.rules import ViewRight


def back_to(request) -> str:
    """The list the form was on (a path of this site), else the inbox."""
    back = request.POST.get("suivant", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, {request.get_host()}):
        return back
    return reverse("workflows:inbox")


@require_POST
def save(request):
    back = back_to(request)
    try:
        view = saved_views.save_view(
            request.user, request.POST.get("liste", ""), request.POST.get("nom", ""), request.POST.get("filtres", ""),
            shared=request.POST.get("partagee") == "1", default_for=request.POST.get("par_defaut", ""))
    except ActionRefused as refusal:
        messages.error(request, f"La vue n'est pas enregistrée. {refusal.message}")
        return redirect(back)
    shared = " et partagée avec la cellule" if view.shared else ""
    messages.success(request, f"Vue « {view.name} » enregistrée{shared}.")
    return redirect(f"{back.split('?')[0]}?vue={view.pk}")


@require_POST
def delete(request, pk: int):
    view = policy.get_or_404(request.user, ViewRight.OPEN_VIEW, SavedView.objects.select_related("cell__departement"),
                             pk=pk)
    saved_views.delete_view(request.user, view)  # another's shared view: refused (403)
    messages.success(request, f"Vue « {view.name} » supprimée.")
    return redirect(back_to(request).split("?")[0] + f"?vue={saved_views.NONE}")
