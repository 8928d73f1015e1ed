"""Support groups (groupes de parole) run by associations, their sessions and participating families."""

from django.shortcuts import redirect, render

import audit
from cellule import actions as cellule
from cellule.forms import GroupForm, SessionForm
from cellule.models import SupportGroup
from cellule.rules import CelluleRight
from organisation import policy
from ui.forms import submit


def support_groups(request):
    cell = policy.coordinated_cell(request.user, CelluleRight.MANAGE_MEETINGS)
    data = request.POST if request.method == "POST" else None
    group_form = GroupForm(data if data and "create_group" in data else None, cell=cell)
    session_form = SessionForm(data if data and "add_session" in data else None, cell=cell)
    if submit(request, group_form, "Groupe de parole",
              lambda data: cellule.create_support_group(request.user, cell, **data), done="Groupe de parole créé."):
        return redirect("support_groups:list")
    if submit(request, session_form, "Séance", lambda data: cellule.record_support_session(
            request.user, data["group"], on=data["on"], families=list(data["families"])), done="Séance enregistrée."):
        return redirect("support_groups:list")
    groups = SupportGroup.objects.filter(cell=cell).select_related("institution").prefetch_related(
        "sessions__families__person")
    # The page names families: the cases offered to a session and those of past sessions.
    shown = {case.reference for case in session_form.fields["families"].queryset}
    shown |= {case.reference for group in groups for session in group.sessions.all() for case in session.families.all()}
    audit.record("support_group.view", departement=cell.departement.code,
                 details={"groupes": [g.pk for g in groups], "signalements": sorted(shown)})
    invalid = group_form.errors or session_form.errors
    return render(request, "support_groups/list.html", {
        "cell": cell, "groups": groups, "group_form": group_form, "session_form": session_form},
        status=400 if invalid else 200)
