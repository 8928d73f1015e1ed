"""What the mobile team adds to a case page: its requests with their messages, and the actions to call
the team, read its answer and withdraw a request."""

from django.db.models import Prefetch

from cases.views.actions import CaseAction, register, register_panel
from mobile_team import actions, forms
from mobile_team.models import RequestMessage
from mobile_team.rules import RequestRight
from organisation import policy
from ui.forms import ConfirmForm

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


def _panel(user, case) -> dict:
    """The case's requests; the coordinators who may converse read the team's messages, which marks them read."""
    requests = list(case.mobile_team_requests.all())
    may_write = any(policy.can(user, RequestRight.CONVERSE_MOBILE_REQUEST, r) for r in requests)
    if may_write:
        for request in requests:
            actions.mark_read(user, request)
    requests = case.mobile_team_requests.select_related("contact").prefetch_related(
        "reports", Prefetch("messages", queryset=RequestMessage.objects.select_related("author", "read_by")
                            .prefetch_related("attachments")))
    return {"requests": requests, "message_form": forms.MessageForm() if may_write else None}


register_panel("mobile_team/_case_panel.html", _panel)
