"""A transfer request, for the receiving cellule's coordinators: what they need to decide (the
reference, the note, the young person's first name and age, not the file), and their answer; once
answered, nothing of it (the other département keeps nothing of a case it did not take)."""

from django.contrib import messages
from django.contrib.auth.models import User
from django.shortcuts import redirect, render
from django.utils import timezone

import audit
from cases import actions
from cases.forms import TransferDecisionForm
from cases.models import Case, CaseTransfer
from cases.rules import CaseRight
from organisation import policy
from ui.forms import submit

QUERYSET = CaseTransfer.objects.select_related("case__departement", "case__person", "destination", "requested_by")


def transfer(request, pk: int):
    transfer = policy.get_or_404(request.user, CaseRight.DECIDE_TRANSFER, QUERYSET, pk=pk)
    if transfer.status != CaseTransfer.Status.PENDING:
        return _decided(request, transfer)
    posted = request.method == "POST"
    form = TransferDecisionForm(request.POST if posted else None)
    if submit(request, form, "Décision sur le transfert", lambda data: _decide(request.user, transfer, data)):
        transfer.refresh_from_db()
        if transfer.new_case_id:
            return redirect("cases:detail", pk=transfer.new_case_id)
        return redirect("workflows:inbox")
    audit.record("case.transfer_view", obj=transfer.case, departement=transfer.case.departement.code,
                 details={"signalement": transfer.case.reference})
    age = transfer.case.person.age(timezone.localdate())
    return render(request, "cases/transfer.html", {"transfer": transfer, "form": form, "age": age},
                  status=400 if posted else 200)


def _decided(request, transfer: CaseTransfer):
    """Once answered, the request shows nothing of the case any more: an accepted one leads to the case
    opened here, a refused or withdrawn one is another département's case, which this one keeps nothing of."""
    if transfer.new_case_id:
        return redirect("cases:detail", pk=transfer.new_case_id)
    messages.info(request, f"Ce transfert a été {transfer.get_status_display().lower()} : le "
                           "signalement est resté dans son département, il n'y a plus rien à décider.")
    return redirect("workflows:done")


def _decide(user: User, transfer: CaseTransfer, data: dict) -> Case | CaseTransfer:
    if data["decision"] == "accept":
        return actions.accept_transfer(user, transfer)
    return actions.refuse_transfer(user, transfer, reason=data["reason"])
