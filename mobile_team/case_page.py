"""What the mobile team adds to a case page: its requests with their messages, and the actions to call
the team, read its answer and withdraw a request."""

from typing import Any

from django.db.models import Prefetch, prefetch_related_objects

from cases.models import Case
from cases.views.case_page import CaseAction, register, register_panel
from mobile_team import actions, forms
from mobile_team.models import RequestMessage
from mobile_team.rules import RequestRight
from organisation import policy
from organisation.policy import Actor
from ui.forms import ConfirmForm

register(
    CaseAction("equipe-mobile", forms.MobileTeamRequestForm, actions.request_mobile_team),
    CaseAction("lire-reponse-equipe-mobile", ConfirmForm, actions.acknowledge, primary=True),
    CaseAction("retirer-equipe-mobile", forms.WithdrawForm, actions.withdraw),
    after="poursuivre",
)


def _panel(user: Actor, case: Case) -> dict[str, Any]:
    """The case's requests; the coordinators who may converse read the team's messages, which marks them read."""
    requests = actions.requests_of(case)
    may_write = any(policy.can(user, RequestRight.CONVERSE_MOBILE_REQUEST, r) for r in requests)
    if may_write:
        for request in requests:
            actions.mark_read(user, request)
    messages = RequestMessage.objects.select_related("author", "read_by").prefetch_related("attachments")
    prefetch_related_objects(requests, "reports", Prefetch("messages", queryset=messages))  # read after the marking
    # Each request with the form of its thread (its own ids: a page may show several).
    return {"requests": [(r, forms.MessageForm.of(r) if may_write else None) for r in requests]}


register_panel("mobile_team/_case_panel.html", _panel, tab="echanges")


register_panel("mobile_team/_brief.html", lambda user, case: {
    "request": max(actions.requests_of(case), key=lambda r: (r.requested_at, r.pk), default=None)}, brief=True)
