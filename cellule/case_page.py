"""What the cellule's life adds to a case page: the family's interview requests and their actions."""

from cases.models import State
from cases.views.case_page import CaseAction, fields_of, register, register_panel
from cellule import actions, forms
from cellule.models import InterviewRequest
from cellule.rules import CelluleRight
from organisation import policy
from ui import statements

register(
    CaseAction("demande-entretien", forms.InterviewRequestForm, actions.record_interview_request),
    CaseAction("suivi-entretien", forms.InterviewUpdateForm, actions.update_interview_request,
               target_model=InterviewRequest, initial=lambda case, target: fields_of(target)),
    after="adhesion",
)
register_panel("cellule/_case_panel.html", lambda user, case: {
    "interviews": statements.of("interview requests of a case", lambda pk: InterviewRequest.objects.filter(case_id=pk),
                                case.pk, known={"case": case}),
    "can_manage": policy.can(user, CelluleRight.MANAGE_INTERVIEWS, case) and case.state != State.CLOSED,
})
