"""The limited views of a case: the partner's part (``CaseRight.VIEW_REFERRAL``), what the care
measure their institution runs needs and the notes shared with them, never the facts reported; and
the tombstone a transfer leaves to the sending cellule (``CaseRight.VIEW_TOMBSTONE``)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases import actions
from cases.actions import plan
from cases.forms import PartnerNoteForm
from cases.models import Case, PlanAction, State
from cases.models.visits import visit
from cases.plan_forms import PartnerActionForm
from cases.rules import CaseRight, partner_institutions
from cases.views.case_page import record_view
from cases.views.notes import visible_notes
from organisation import policy
from ui.forms import submit


def limited_page(request, case: Case):
    """For whoever may open the case (one of the rights, checked by the caller) but not whole."""
    if policy.can(request.user, CaseRight.VIEW_TOMBSTONE, case):
        return tombstone_page(request, case)
    return partner_page(request, case)


def tombstone_page(request, case: Case):
    record_view(request, case, accès="trace du transfert")
    return render(request, "cases/case_tombstone.html", {
        "case": case,
        "transfers": case.transfer_requests.select_related("destination", "new_case", "requested_by", "decided_by"),
    })


def _action_form(action: PlanAction, data=None) -> PartnerActionForm:
    return PartnerActionForm(data, prefix=f"action-{action.pk}", initial={"status": action.status, "note": action.note})


def partner_page(request, case: Case, form: PartnerNoteForm | None = None, status: int = 200,
                 action_form: PartnerActionForm | None = None):
    """``action_form``: the update of one of the plan's actions, refused, shown with its errors."""
    record_view(request, case, accès="partenaire")
    changed_since_visit = visit(request.user, case)
    may_write = case.state != State.CLOSED
    plan_actions = [(action, (action_form if action_form is not None and action_form.prefix == f"action-{action.pk}"
                              else _action_form(action)) if may_write else None)
                    for action in plan.partner_actions(request.user, case)]
    return render(request, "cases/case_partner.html", {
        "case": case,
        "person": case.person,
        "age": case.person.age(timezone.localdate()),
        "relatives": case.relatives.all(),
        "measures": case.care_measures.filter(institution_id__in=partner_institutions(request.user, case))
        .select_related("institution"),
        "notes": visible_notes(request.user, case, partner=True),
        "plan_actions": plan_actions,
        "note_form": form or (PartnerNoteForm(case=case) if may_write else None),
        "changed_since_visit": changed_since_visit,
    }, status=status)


@require_POST
def partner_note(request, pk: int):
    case = policy.get_or_404(request.user, CaseRight.PARTNER_NOTE,
                             Case.objects.select_related("departement__cell", "person"), pk=pk)
    form = PartnerNoteForm(request.POST, request.FILES, case=case)
    if submit(request, form, "Note", lambda data: actions.add_note(request.user, case, **data),
              done="Note enregistrée.", refusal_on_form=True):
        return redirect("cases:detail", pk=case.pk)
    if not form.non_field_errors():  # a refusal says why on the form, above the note kept as typed
        messages.error(request, "La note n'est pas enregistrée : corrigez les champs signalés.")
    return partner_page(request, case, form, status=400)


@require_POST
def partner_action(request, pk: int, action: int):
    """The partner updates an action of the plan their measure carries; any other action is not found."""
    case = policy.get_or_404(request.user, CaseRight.PARTNER_PLAN,
                             Case.objects.select_related("departement__cell", "person"), pk=pk)
    target = get_object_or_404(PlanAction.objects.filter(pk__in=[a.pk for a in plan.partner_actions(request.user,
                                                                                                      case)]),
                               pk=action)
    form = _action_form(target, request.POST)
    if submit(request, form, plan.UPDATE_ACTION.title,
              lambda data: plan.update_plan_action(request.user, target, **data)) or not form.errors:
        return redirect("cases:detail", pk=case.pk)
    messages.error(request, "L'action n'est pas mise à jour : corrigez les champs signalés.")
    return partner_page(request, case, status=400, action_form=form)
