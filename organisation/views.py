"""The cellule's composition: who sits in it; coordinators add, invite and end members. And the
national level's inspection mandates."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

import audit
from organisation import actions as organisation
from organisation import handover, policy, sessions
from organisation.forms import AddForm, DesignateForm, EndForm, InviteForm, MandateForm
from organisation.models import Cell, Institution, Mandate, Membership
from organisation.policy import Actor
from organisation.rules import OrganisationRight, grantable_cell_roles, memberships_visible_to
from organisation.spreadsheets import download
from ui.forms import submit


def _cell(request, code: str) -> Cell:
    return policy.get_or_404(request.user, OrganisationRight.VIEW_COMPOSITION,
                             Cell.objects.select_related("departement"), departement__code=code)


def cell_detail(request, code: str):
    cell = _cell(request, code)
    manage = policy.can(request.user, OrganisationRight.MANAGE_MEMBERSHIPS, cell)
    roles = grantable_cell_roles(request.user, cell)
    data = request.POST if request.method == "POST" else None
    today = timezone.localdate()
    members = memberships_visible_to(request.user).filter(cell=cell)
    composition = list(members.active(today))
    endable = [m for m in composition if policy.can(request.user, OrganisationRight.GRANT_ROLE, m)]
    # Four forms on one page: each its own ids (the same field names), so that a label or an error's link
    # leads to the field of its form.
    forms_ = {"add": AddForm(data if data and "add" in data else None, roles=roles, cell=cell, auto_id="add_%s"),
              "invite": InviteForm(data if data and "invite" in data else None, roles=roles, cell=cell,
                                   auto_id="invite_%s"),
              "end": EndForm(data if data and "end" in data else None, cell=cell, auto_id="end_%s"),
              "designate": DesignateForm(data if data and "designate" in data else None, endable=endable, cell=cell,
                                         auto_id="designate_%s")}
    bound = next((name for name, form in forms_.items() if form.is_bound), None)
    if bound:
        if not manage:
            raise policy.AccessDenied(request.user, OrganisationRight.MANAGE_MEMBERSHIPS, cell)
        if submit(request, forms_[bound], "Composition", lambda data: _apply(request.user, cell, bound, data),
                  done="Composition mise à jour."):
            return redirect("cell_detail", code=code)
    audit.record("cell.view", obj=cell, departement=cell.departement.code)
    held = handover.held(cell, [m.user_id for m in endable]) if manage and roles else {}
    return render(request, "organisation/cell_detail.html", {
        "cell": cell, "composition": composition, "today": today, "manage": manage and roles, "endable": endable,
        "holding": [(m, held[m.user_id]) for m in endable if m.user_id in held],
        "former": members.filter(ends_on__lte=today), "forms": forms_,
        "sessions": _sessions(request.user, composition), "parquet_missing": not cell.parquet_represented(today),
        # The local prevention bodies the cellule works with; its coordinators open each one's page (the
        # exchanges) and propose the institutions it misses.
        "prevention_bodies": Institution.objects.filter(departement=cell.departement,
                                                        category=Institution.Category.LOCAL_PREVENTION),
        "coordinates": policy.can(request.user, OrganisationRight.PROPOSE_INSTITUTION, cell)},
        status=400 if bound else 200)


def _sessions(user: Actor, composition: list[Membership]) -> list[tuple[Membership, int]]:
    """The members whose open sessions the user may see and end (their coordinator, the administrator),
    with how many open."""
    members = {m.user_id: m for m in composition
               if m.user_id != policy.user_id(user) and policy.can(user, OrganisationRight.MANAGE_SESSIONS, m)}
    counts = sessions.open_counts(list(members)) if members else {}
    return [(m, counts.get(user_id, 0)) for user_id, m in members.items()]


def _apply(actor: Actor, cell: Cell, action: str, data: dict) -> None:
    if action == "add":
        organisation.save_membership(actor, Membership(cell=cell, **data))
    elif action == "invite":
        organisation.invite_member(actor, cell, **data)
    elif action == "designate":
        membership = data["membership"]
        membership.radicalisation_referent = data["radicalisation_referent"]
        membership.contacts_families = data["contacts_families"]
        organisation.save_membership(actor, membership)
    else:
        membership = get_object_or_404(Membership, pk=data["membership"], cell=cell)
        successor = data["successor"].user if data["successor"] else None
        organisation.end_membership(actor, membership, data["ends_on"], successor=successor)


def composition_export(request, code: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404("Format inconnu.")
    cell = _cell(request, code)
    today = timezone.localdate()
    members = memberships_visible_to(request.user).filter(cell=cell).active(today)
    heading = f"Composition de la {cell} au {today:%d/%m/%Y}"
    headers = ("Nom", "Prénom", "Institution", "Catégorie", "Fonction", "Rôle", "Depuis le")
    table = [(m.user.last_name, m.user.first_name, m.institution.name, m.institution.get_category_display(),
              m.function, m.get_role_display(), m.starts_on.strftime("%d/%m/%Y")) for m in members]
    audit.record(f"export.composition_{fmt}", obj=cell, departement=cell.departement.code)
    return download(heading, table, headers, f"composition-{cell.departement.code}", fmt)


def mandates(request):
    """The national level's inspection mandates: requested by one officer, approved by another."""
    policy.require(request.user, OrganisationRight.VIEW_MANDATES)
    form = MandateForm(request.POST or None)
    if submit(request, form, "Mandat", lambda data: organisation.request_mandate(
            request.user, Mandate(**{k: v for k, v in data.items() if k != "departements"}), data["departements"]),
              done="Mandat demandé : un autre membre du niveau national doit l'approuver.", refusal_on_form=True):
        return redirect("mandates")
    listed = list(Mandate.objects.select_related("inspector", "requested_by", "approved_by")
                  .prefetch_related("departements"))
    for mandate in listed:
        mandate.approvable = policy.can(request.user, OrganisationRight.APPROVE_MANDATE, mandate)
    audit.record("mandate.list", details={"mandats": [m.reference for m in listed]})
    return render(request, "organisation/mandates.html", {"form": form, "mandates": listed, "today":
                                                          timezone.localdate()}, status=400 if form.is_bound else 200)


def approve_mandate(request, pk: int):
    # Before the lookup: which mandates exist is the national level's to know.
    policy.require(request.user, OrganisationRight.VIEW_MANDATES)
    if request.method != "POST":
        return redirect("mandates")
    mandate = get_object_or_404(Mandate, pk=pk)
    organisation.approve_mandate(request.user, mandate)
    messages.success(request, f"Mandat {mandate.reference} approuvé : il ouvre désormais ce qu'il couvre.")
    return redirect("mandates")
