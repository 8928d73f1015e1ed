"""Two pages of the separation of duties: the requests to get an account back (asked by the
technical administrator, decided by a second person), and the national roles, which the national
level gives (never the technical administrator)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

import audit
from organisation import accounts, policy
from organisation import actions as organisation
from organisation.errors import ActionRefused
from organisation.forms import EndNationalRoleForm, NationalRoleForm, RecoveryRequestForm
from organisation.models import Membership
from organisation.policy import Actor
from organisation.rules import OrganisationRight, grantable_national_roles, recoveries_visible_to
from ui.forms import submit


def account_recoveries(request):
    """The administrators ask here; the coordinators and the national level decide here."""
    policy.require(request.user, OrganisationRight.VIEW_RECOVERIES)
    asks = policy.can(request.user, OrganisationRight.MANAGE_REFERENCE_DATA)
    form = RecoveryRequestForm(request.POST or None, initial={"account": request.GET.get("compte", "")[:150]}) \
        if asks else None
    if form is not None and submit(request, form, "Demande", lambda data: accounts.request_recovery(
            request.user, data["account"], kind=data["kind"], reason=data["reason"]),
            done="Demande enregistrée : elle attend la décision d'une seconde personne.", refusal_on_form=True):
        return redirect("account_recoveries")
    if request.method == "POST" and form is None:
        raise policy.AccessDenied(request.user, OrganisationRight.REQUEST_RECOVERY)
    listed = list(recoveries_visible_to(request.user)[:100])
    for recovery in listed:
        recovery.decidable = policy.can(request.user, OrganisationRight.DECIDE_RECOVERY, recovery)
        if recovery.decidable:
            recovery.address_changed = accounts.address_changed_on(recovery.user)
    audit.record("user.recovery_list", details={"demandes": [r.pk for r in listed]})
    return render(request, "organisation/account_recoveries.html", {
        "form": form, "recoveries": listed, "decidable": any(r.decidable for r in listed)},
                  status=400 if form is not None and form.is_bound else 200)


@require_POST
def decide_recovery(request, pk: int):
    recovery = policy.get_or_404(request.user, OrganisationRight.DECIDE_RECOVERY,
                                 recoveries_visible_to(request.user), pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        accounts.decide_recovery(request.user, recovery, approve=approve)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "Demande approuvée : la personne en est informée." if approve
                         else "Demande refusée : rien n'a changé, la personne en est informée.")
    return redirect("account_recoveries")


def national_roles(request):
    """The national officers, the mobile team's agents and the inspectors: named and ended here by
    the national level."""
    policy.require(request.user, OrganisationRight.NAME_NATIONAL_ROLES)
    roles = grantable_national_roles(request.user)
    data = request.POST if request.method == "POST" else None
    add = NationalRoleForm(data if data and "add" in data else None, roles=roles)
    end = EndNationalRoleForm(data if data and "end" in data else None)
    bound = add if add.is_bound else end if end.is_bound else None
    if bound is not None and submit(request, bound, "Rôles nationaux",
                                    lambda data: _national_role(request.user, roles, data, ending=bound is end),
                                    done="Rôles nationaux mis à jour.", refusal_on_form=True):
        return redirect("national_roles")
    held = list(Membership.objects.active().filter(role__in=roles).select_related("user", "institution")
                .order_by("role", "user__last_name"))
    for membership in held:
        membership.endable = membership.user_id != request.user.pk
    audit.record("membership.national_list", details={"rôles": len(held)})
    return render(request, "organisation/national_roles.html", {
        "memberships": held, "add": add, "end": end, "today": timezone.localdate()},
        status=400 if bound is not None else 200)


def _national_role(actor: Actor, roles: list[str], data: dict, *, ending: bool) -> None:
    """Give a national role, or end one still held (one that ended meanwhile is refused)."""
    if not ending:
        organisation.save_membership(actor, Membership(**data))
        return
    membership = Membership.objects.active().filter(role__in=roles, pk=data["membership"]).first()
    if membership is None:
        raise ActionRefused("Ce rôle n'est plus en cours.")
    organisation.end_membership(actor, membership, data["ends_on"])
