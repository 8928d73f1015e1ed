"""The mobile team's receivers: a case closed or transferred while the team was called withdraws its
open request, in the closure's transaction (``cases.signals.case_closing``)."""

from typing import Any

from cases.models import Case
from cases.signals import case_closing
from mobile_team.actions import withdraw_on_closure
from organisation.policy import Actor


def _on_case_closing(sender: object, actor: Actor, case: Case, note: str, **kwargs: Any) -> None:
    withdraw_on_closure(actor, case, note)


case_closing.connect(_on_case_closing, dispatch_uid="mobile_team.withdraw_on_closure")
