"""The mobile team's receivers: a case closed or transferred while the team was called withdraws its
open request, in the closure's transaction (``cases.signals.case_closing``)."""

from cases.signals import case_closing
from mobile_team.actions import withdraw_on_closure


def _on_case_closing(sender, actor, case, note: str, **kwargs) -> None:
    withdraw_on_closure(actor, case, note)


case_closing.connect(_on_case_closing, dispatch_uid="mobile_team.withdraw_on_closure")
