"""What the mobile team adds to a case page: its requests, and the actions to call the team, read its
answer and withdraw a request."""

from cases.views.actions import CaseAction, register, register_panel
from mobile_team import actions, forms
from mobile_team.rules import RequestRight
from project.forms import ConfirmForm

register(
    CaseAction("equipe-mobile", "Solliciter l'équipe mobile", forms.MobileTeamRequestForm,
               actions.request_mobile_team, RequestRight.REQUEST_MOBILE_TEAM, transition="request_mobile_team"),
    CaseAction("lire-reponse-equipe-mobile", "J'ai pris connaissance de la réponse de l'équipe mobile",
               ConfirmForm, actions.acknowledge, RequestRight.MANAGE_MOBILE_REQUEST,
               applies=lambda case: case.mobile_team_requests.filter(answer_unread=True).exists(), primary=True),
    CaseAction("retirer-equipe-mobile", "Retirer la demande à l'équipe mobile", forms.WithdrawForm,
               actions.withdraw, RequestRight.MANAGE_MOBILE_REQUEST, transition="mobile_team_done"),
    after="poursuivre",
)
register_panel("mobile_team/_case_panel.html",
               lambda user, case: {"requests": case.mobile_team_requests.prefetch_related("reports")})
