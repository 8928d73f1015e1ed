"""The institutions a cellule misses: its coordinators propose them, the technical administrator validates
or refuses each one (``organisation.actions.propose_institution``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

import audit
from organisation import actions as organisation
from organisation import policy
from organisation.forms import ProposalForm, RefusalForm
from organisation.models import Cell, InstitutionProposal
from organisation.rules import OrganisationRight
from ui.errors import Refusal
from ui.forms import add_errors, submit


def propose(request, code: str):
    """The proposal form, under the cellule's page, with the département's proposals and what became of them."""
    cell = policy.get_or_404(request.user, OrganisationRight.VIEW_COMPOSITION,
                             Cell.objects.select_related("departement"), departement__code=code)
    policy.require(request.user, OrganisationRight.PROPOSE_INSTITUTION, cell)
    form = ProposalForm(request.POST if request.method == "POST" else None)
    if submit(request, form, "Proposition", lambda data: organisation.propose_institution(
            request.user, cell, InstitutionProposal(**data)),
            done="Institution proposée : l'administration technique la valide avant qu'elle soit proposée dans la "
                 "cellule. La réponse vous parviendra par courriel.", refusal_on_form=True):
        return redirect("institution_propose", code=code)
    proposals = list(InstitutionProposal.objects.filter(departement=cell.departement).select_related("proposed_by"))
    audit.record("institution.proposal_list", departement=code, details={"propositions": [p.pk for p in proposals]})
    return render(request, "organisation/institution_propose.html", {
        "cell": cell, "form": form, "proposals": proposals}, status=400 if form.is_bound else 200)


@require_GET
def proposals(request):
    """The technical administrator's list: the proposals waiting first, each validated or refused here."""
    policy.require(request.user, OrganisationRight.MANAGE_REFERENCE_DATA)
    return _proposals_page(request)


def _proposals_page(request, refused: RefusalForm | None = None, of: int | None = None):
    """The list, with ``refused``, the decision the entry point refused, as typed on proposal ``of``."""
    listed = sorted(InstitutionProposal.objects.select_related("departement", "proposed_by", "decided_by")[:200],
                    key=lambda p: p.status != InstitutionProposal.Status.PENDING)
    forms = [(p, refused if p.pk == of else RefusalForm(auto_id=f"refus-{p.pk}-%s")) for p in listed]
    audit.record("institution.proposal_list", details={"propositions": [p.pk for p in listed]})
    return render(request, "organisation/institution_proposals.html", {"proposals": forms},
                  status=400 if refused is not None else 200)


@require_POST
def decide(request, pk: int):
    # Before the lookup: which proposals exist is the administration's to know.
    policy.require(request.user, OrganisationRight.MANAGE_REFERENCE_DATA)
    proposal = get_object_or_404(InstitutionProposal, pk=pk)
    form = RefusalForm(request.POST, auto_id=f"refus-{proposal.pk}-%s")
    try:
        if request.POST.get("decision") == "validate":
            institution = organisation.validate_proposal(request.user, proposal)
            messages.success(request, f"Institution « {institution} » créée : la cellule la trouve désormais parmi "
                                      "ses partenaires.")
        elif form.is_valid():
            organisation.refuse_proposal(request.user, proposal, reason=form.cleaned_data["refusal_reason"])
            messages.success(request, f"Proposition « {proposal.name} » refusée : le coordonnateur en est informé.")
        else:
            return _proposals_page(request, form, proposal.pk)
    except Refusal as refusal:
        proposal.refresh_from_db()
        if proposal.status == InstitutionProposal.Status.PENDING:  # still to decide: the reason typed stays
            form.add_error(None, refusal.message)
            return _proposals_page(request, form, proposal.pk)
        messages.error(request, refusal.message)  # decided meanwhile: its row says how, no form to keep
    except ValidationError as error:  # the name taken meanwhile, a reason missing: nothing changed
        add_errors(form, error)
        return _proposals_page(request, form, proposal.pk)
    return redirect("institution_proposals")
