"""What retention adds to a case page: for its coordinators, how long the case is kept, its legal
hold (placed or lifted there), and the link to the answers to the people concerned."""

from cases.models import Case
from cases.views.case_page import CaseAction, register, register_panel
from organisation import policy
from organisation.policy import Actor
from retention import actions, forms
from retention.periods import kept_until
from retention.rules import RetentionRight

# Offered on closed cases, the only ones the purge erases (and no query for the open ones' pages).
register(
    CaseAction("geler", forms.HoldForm, actions.place_hold),
    CaseAction("lever-gel", forms.LiftHoldForm, actions.lift_hold),
    after="rouvrir",
)


def _panel(user: Actor, case: Case) -> dict:
    if not policy.can(user, RetentionRight.ANSWER, case):
        return {}
    return {"shown": True, "hold": actions.active_hold(case), "erasure": actions.erasure(case),
            "kept_until": kept_until(case)}


register_panel("retention/_case_panel.html", _panel, tab="chronologie")
