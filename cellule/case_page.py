"""What the cellule's life adds to a case page: the family's interview requests."""

from cases.views.actions import CaseAction, fields_of, register
from cellule import actions, forms
from cellule.models import InterviewRequest
from organisation.policy import Action

register(
    CaseAction("demande-entretien", "Enregistrer une demande d'entretien de la famille", forms.InterviewRequestForm,
               actions.record_interview_request, Action.MANAGE_INTERVIEWS),
    CaseAction("suivi-entretien", "Programmer ou clore une demande d'entretien", forms.InterviewUpdateForm,
               actions.update_interview_request, Action.MANAGE_INTERVIEWS, target_model=InterviewRequest,
               initial=lambda case, target: fields_of(target)),
    after="adhesion",
)
