"""The technical administrator's pages of the accounts: the list (with each one's last login), the
creation (the account and, with it, the administrator's role if given; the holder receives the link
to choose a password), an account's page (its roles, second factor, sessions; deactivation, and the
requests to get it back, which a second person approves) and its identity's change.

No password is ever typed here, and nothing of a case is shown: accounts and roles only. Every
page asks ``OrganisationRight.MANAGE_REFERENCE_DATA``; each change goes through its entry point
(``organisation.actions.invite_account``, ``organisation.accounts``), each read is recorded.
"""

from django import forms
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

import audit
from audit.changes import snapshot
from organisation import accounts, policy, sessions
from organisation import actions as organisation
from organisation.forms import AccountFields, AccountForm, RecoveryFields
from organisation.models import AccountRecovery, Membership, SecondFactor
from organisation.policy import Actor
from organisation.rules import OrganisationRight, grantable_national_roles
from ui.forms import BaseForm, submit

PAGE_SIZE = 50
RIGHT = OrganisationRight.MANAGE_REFERENCE_DATA


class SearchForm(BaseForm):
    q = forms.CharField(label="Nom, identifiant ou courriel", max_length=150, required=False)
    status = forms.ChoiceField(label="État", required=False, choices=[
        ("", "Tous"), ("active", "Actifs"), ("inactive", "Désactivés"), ("invited", "Invitation en attente")])


class StatusForm(BaseForm):
    """Deactivate (``0``) or activate again (``1``): the page's button says which."""

    active = forms.TypedChoiceField(choices=[("0", "désactiver"), ("1", "réactiver")], coerce=lambda v: v == "1",
                                    widget=forms.HiddenInput, error_messages={
                                        "required": "Choisissez de désactiver ou de réactiver le compte.",
                                        "invalid_choice": "Choisissez de désactiver ou de réactiver le compte."})


def _accounts():
    """Accounts with their roles in force and whether a second factor is enrolled: three queries
    for a page, whatever its length."""
    return User.objects.annotate(
        has_second_factor=Exists(SecondFactor.objects.filter(user=OuterRef("pk")))).prefetch_related(
        Prefetch("memberships", Membership.objects.active().select_related("cell__departement", "institution"),
                 to_attr="current_roles"))


@require_http_methods(["GET", "HEAD"])
def account_list(request):
    policy.require(request.user, RIGHT)
    form = SearchForm(request.GET or None)
    listed = _accounts().order_by("last_name", "first_name", "username")
    if form.is_valid():
        if text := form.cleaned_data["q"].strip():
            listed = listed.filter(Q(username__icontains=text) | Q(first_name__icontains=text)
                                   | Q(last_name__icontains=text) | Q(email__icontains=text))
        invited = listed.filter(is_active=True, last_login__isnull=True,
                                password__startswith=UNUSABLE_PASSWORD_PREFIX)
        listed = {"active": listed.filter(is_active=True), "inactive": listed.filter(is_active=False),
                  "invited": invited}.get(form.cleaned_data["status"], listed)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record("user.list", details={"comptes": [user.pk for user in page]})
    return render(request, "organisation/accounts/list.html", {"form": form, "page": page, "query": request.GET},
                  status=200 if form.is_valid() or not form.is_bound else 400)


@require_http_methods(["GET", "HEAD", "POST"])
def account_create(request):
    policy.require(request.user, RIGHT)
    form = AccountForm(request.POST or None, roles=grantable_national_roles(request.user))
    created: list[User] = []
    if submit(request, form, "Compte", lambda data: created.append(organisation.invite_account(request.user, **data)),
              done="Compte créé : la personne reçoit à son adresse le lien pour choisir son mot de passe."):
        return redirect("account_detail", pk=created[0].pk)
    return render(request, "organisation/accounts/create.html", {"form": form},
                  status=400 if form.is_bound else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def account_detail(request, pk: int):
    account = policy.get_or_404(request.user, RIGHT, _accounts(), pk=pk)
    data = request.POST if request.method == "POST" else None
    status = StatusForm(data if data and "active" in data else None)
    recovery = RecoveryFields(data if data and "recovery" in data else None)
    if submit(request, status, "Compte", lambda cleaned: accounts.set_active(request.user, account, cleaned["active"]),
              done="Compte désactivé : ses sessions sont fermées, il ne peut plus se connecter."
              if status.data.get("active") == "0" else "Compte réactivé."):
        return redirect("account_detail", pk=pk)
    if submit(request, recovery, "Demande", lambda cleaned: accounts.request_recovery(
            request.user, account, kind=cleaned["kind"], reason=cleaned["reason"]),
            done="Demande enregistrée : elle attend la décision d'une seconde personne."):
        return redirect("account_detail", pk=pk)
    audit.record("user.view", obj=account, departement=policy.audit_actor(account)[1])
    return render(request, "organisation/accounts/detail.html", {
        "account": account, "status": status, "recovery": recovery,
        "memberships": account.memberships.select_related("cell__departement", "institution").order_by("-starts_on"),
        "invited": not account.has_usable_password() and account.last_login is None,
        "open_sessions": sessions.open_counts([account.pk]).get(account.pk, 0),
        "recoveries": account.recoveries.select_related("requested_by", "decided_by")[:10],
        "own": account.pk == request.user.pk,
        "pending": AccountRecovery.Status.PENDING}, status=400 if data is not None else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def account_edit(request, pk: int):
    account = policy.get_or_404(request.user, RIGHT, User.objects.all(), pk=pk)
    form = AccountFields(request.POST or None,
                         initial={name: getattr(account, name) for name in AccountFields.base_fields})
    if submit(request, form, "Compte", lambda data: _save(request.user, account, data), done="Compte modifié."):
        return redirect("account_detail", pk=pk)
    audit.record("user.view", obj=account, departement=policy.audit_actor(account)[1])
    return render(request, "organisation/accounts/edit.html", {"account": account, "form": form},
                  status=400 if form.is_bound else 200)


def _save(actor: Actor, account: User, data: dict) -> None:
    """The identity typed, written on a fresh copy of the account: a refused change leaves the page's."""
    changed = User.objects.get(pk=account.pk)
    before = snapshot(changed)
    for name, value in data.items():
        setattr(changed, name, value.strip())
    accounts.save_account(actor, changed, before)
