"""The technical administrator's page of the sources' service accounts: list, create (the token shown
once, on the answer to the creation), revoke; through the entry points the operator's command uses."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from intake import actions
from intake.forms import AccountForm
from intake.models import ServiceAccount
from intake.rules import IntakeRight
from organisation import policy


def accounts(request):
    policy.require(request.user, IntakeRight.MANAGE_ACCOUNTS)
    form = AccountForm(request.POST or None)
    token, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                account, token = actions.create_account(request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Compte « {account.name} » créé.")
                form, status = AccountForm(), 200
    listed = ServiceAccount.objects.select_related("departement")
    return render(request, "intake/accounts.html", {"form": form, "accounts": listed, "token": token}, status=status)


@require_POST
def revoke(request, pk: int):
    policy.require(request.user, IntakeRight.MANAGE_ACCOUNTS)
    account = get_object_or_404(ServiceAccount, pk=pk)
    try:
        actions.revoke_account(request.user, account)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Compte « {account.name} » révoqué : son jeton ne fonctionne plus.")
    return redirect("intake_accounts:list")
