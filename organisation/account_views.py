"""Two pages of the separation of duties: the requests to get an account back (asked by the
technical administrator, decided by a second person), and the national roles, which the national
level gives (never the technical administrator)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

import audit
from organisation import accounts, policy
from organisation import actions as organisation
from organisation.errors import ActionRefused
from organisation.forms import EndNationalRoleForm, NationalRoleForm, RecoveryRequestForm
from organisation.models import Membership
from organisation.rules import OrganisationRight, grantable_national_roles, recoveries_visible_to


def account_recoveries(request):
    """The administrators ask here; the coordinators and the national level decide here."""
    policy.require(request.user, OrganisationRight.VIEW_RECOVERIES)
    asks = policy.can(request.user, OrganisationRight.MANAGE_REFERENCE_DATA)
    form = RecoveryRequestForm(request.POST or None, initial={"account": request.GET.get("compte", "")[:150]}) \
        if asks else None
    if form is not None and form.is_bound and form.is_valid():
        try:
            accounts.request_recovery(request.user, form.cleaned_data["account"], kind=form.cleaned_data["kind"],
                                      reason=form.cleaned_data["reason"])
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Demande enregistrée : elle attend la décision d'une seconde personne.")
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
    if bound is not None and bound.is_valid():
        try:
            if bound is add:
                organisation.save_membership(request.user, Membership(**add.cleaned_data))
            else:
                membership = Membership.objects.active().filter(role__in=roles).get(pk=end.cleaned_data["membership"])
                organisation.end_membership(request.user, membership, end.cleaned_data["ends_on"])
        except Membership.DoesNotExist:
            bound.add_error(None, "Ce rôle n'est plus en cours.")
        except ActionRefused as refusal:
            bound.add_error(None, refusal.message)
        except ValidationError as error:
            bound.add_error(None, error)
        else:
            messages.success(request, "Rôles nationaux mis à jour.")
            return redirect("national_roles")
    held = list(Membership.objects.active().filter(role__in=roles).select_related("user", "institution")
                .order_by("role", "user__last_name"))
    for membership in held:
        membership.endable = membership.user_id != request.user.pk
    audit.record("membership.national_list", details={"rôles": len(held)})
    return render(request, "organisation/national_roles.html", {
        "memberships": held, "add": add, "end": end, "today": timezone.localdate()},
        status=400 if bound is not None else 200)
