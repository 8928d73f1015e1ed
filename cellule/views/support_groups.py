"""Support groups (groupes de parole), run by an association of the département or by the préfecture.

The coordinators create them and see them all; a group's facilitator, a member of the cellule, sees the
groups they facilitate. On a group's page either records a session: the families who took part (those of
the cases under way they may see) and how many other parents came, counted without a name. A group of
another cellule, or one the user does not run, is a 404."""

from django.db.models import Count, Max
from django.shortcuts import redirect, render

import audit
from cases.models import Case
from cellule import actions as cellule
from cellule.forms import GroupForm, SessionForm
from cellule.models import SupportGroup
from cellule.rules import CelluleRight
from organisation import policy
from organisation.models import Cell
from ui.forms import submit


def cell_of(request) -> Cell:
    """The cellule the user coordinates, else the one where they facilitate a group. Creating a group (a
    POST) is the coordinators' alone."""
    user = request.user
    if request.method == "POST" or policy.scope(user).coordinated_cell_ids:
        return policy.coordinated_cell(user, CelluleRight.MANAGE_MEETINGS)
    cells = (m.cell for m in policy.scope(user).memberships if m.cell_id)
    cell = next((c for c in cells if policy.can(user, CelluleRight.VIEW_SUPPORT_GROUPS, c)), None)
    if cell is None:
        raise policy.AccessDenied(user, CelluleRight.VIEW_SUPPORT_GROUPS)
    return cell


def support_groups(request):
    """The groups the user runs, with their sessions' count; for the coordinators, the form to create one."""
    cell = cell_of(request)
    creates = policy.can(request.user, CelluleRight.MANAGE_MEETINGS, cell)
    form = GroupForm(request.POST if request.method == "POST" else None, cell=cell) if creates else None
    if form is not None and submit(request, form, "Groupe de parole", lambda data: cellule.create_support_group(
            request.user, cell, **data), done="Groupe de parole créé."):
        return redirect("support_groups:list")
    groups = (SupportGroup.objects.recordable_by(request.user).filter(cell=cell)
              .select_related("institution", "facilitator__user", "facilitator__institution")
              .annotate(session_count=Count("sessions"), last_session=Max("sessions__on")))
    return render(request, "support_groups/list.html", {"cell": cell, "groups": groups, "form": form},
                  status=400 if form is not None and form.errors else 200)


def support_group(request, pk: int):
    """A group's sessions, and the form to record one. The families of past sessions are named (by their
    case's reference) to whom may open their case, and counted for the others."""
    group = policy.get_or_404(request.user, CelluleRight.RECORD_SUPPORT_SESSION, SupportGroup.objects.select_related(
        "cell__departement", "institution", "facilitator__user", "facilitator__institution"), pk=pk)
    form = SessionForm(request.POST if request.method == "POST" else None, group=group, user=request.user)
    if submit(request, form, "Séance", lambda data: cellule.record_support_session(
            request.user, group, on=data["on"], families=list(data["families"]),
            other_parents=data["other_parents"]), done="Séance enregistrée."):
        return redirect("support_groups:detail", group.pk)
    sessions = list(group.sessions.prefetch_related("families"))
    attended = {case.pk for session in sessions for case in session.families.all()}
    readable = set(Case.objects.visible_to(request.user).filter(pk__in=attended).values_list("pk", flat=True))
    hidden = 0
    for session in sessions:
        families = list(session.families.all())
        session.shown = [case.reference for case in families if case.pk in readable]  # type: ignore[attr-defined]
        session.hidden = len(families) - len(session.shown)  # type: ignore[attr-defined]
        hidden += session.hidden  # type: ignore[attr-defined]
    # The page names families: the cases offered to a session and those of past sessions.
    shown = {case.reference for case in form.fields["families"].queryset}
    shown |= {reference for session in sessions for reference in session.shown}  # type: ignore[attr-defined]
    audit.record("support_group.view", obj=group, departement=group.cell.departement.code,
                 details={"signalements": sorted(shown), **({"non consultables": hidden} if hidden else {})})
    return render(request, "support_groups/detail.html", {"group": group, "sessions": sessions, "form": form},
                  status=400 if form.errors else 200)
