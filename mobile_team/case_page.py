"""What the mobile team adds to a case page: call the team, read its answer, withdraw the request."""

from cases.views.actions import CaseAction, register
from mobile_team import actions, forms
from organisation.policy import Action
from project.forms import ConfirmForm

register(
    CaseAction("equipe-mobile", "Solliciter l'équipe mobile", forms.MobileTeamRequestForm,
               actions.request_mobile_team, Action.REQUEST_MOBILE_TEAM, transition="request_mobile_team"),
    CaseAction("lire-reponse-equipe-mobile", "J'ai pris connaissance de la réponse de l'équipe mobile",
               ConfirmForm, actions.acknowledge, Action.MANAGE_MOBILE_REQUEST,
               applies=lambda case: case.mobile_team_requests.filter(answer_unread=True).exists(), primary=True),
    CaseAction("retirer-equipe-mobile", "Retirer la demande à l'équipe mobile", forms.WithdrawForm,
               actions.withdraw, Action.MANAGE_MOBILE_REQUEST, transition="mobile_team_done"),
    after="poursuivre",
)
