"""Changing a case's referent (a leaving member's cases are handed over by ``cases.handover``).

The referent's open tasks of the case (the care to set up, the reviews, anything else they hold
on it) move with the case, so that nobody is left holding the work of a case they no longer follow.
"""

from typing import cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from cases.actions.base import Check, lock, person, record, require_cell_member, require_text, runs, save_case
from cases.event_texts import keep
from cases.models import Case, State
from cases.notifications import notify_referent
from cases.rules import CaseRight
from organisation.policy import Actor
from workflows import tasks

# The open states in which a case has a referent.
WITH_REFERENT = (State.ASSIGNED, State.IN_CARE, State.MOBILE_TEAM_REQUESTED)
CHANGE_REFERENT = Check("Changer de référent", CaseRight.CHANGE_REFERENT, when=lambda case: "" if (
    case.state in WITH_REFERENT and case.referent_id is not None) else (
    f"le signalement {case.reference} est à l'état « {case.get_state_display()} » : "
    "il n'a pas de référent à remplacer"))


@runs(CHANGE_REFERENT)
def change_referent(actor: Actor, case: Case, *, referent: User | None, reason: str) -> Case:
    """A coordinator gives the case to another member of the cellule, saying why."""
    reason = require_text(reason, "reason", "Indiquez le motif du changement de référent.")
    with transaction.atomic():
        case = lock(case)
        CHANGE_REFERENT.require(actor, case)
        replace_referent(actor, case, referent, reason)
    return case


def replace_referent(actor: Actor, case: Case, referent: User | None, reason: str) -> None:
    """The change itself, on the locked case, once the right is checked (a coordinator's, or a
    leaving member's hand-over: ``cases.handover``)."""
    if (refused := CHANGE_REFERENT.state_refusal(actor, case)) is not None:
        raise refused
    if referent is None or referent.pk == case.referent_id:
        raise ValidationError({"referent": "Choisissez un autre référent que le référent actuel."})
    require_cell_member(case, referent)
    previous = cast(User, case.referent)  # the state's check above: the case has one
    case.referent = referent
    save_case(case)
    moved = tasks.hand_over(case, previous, referent)
    record("case.referent_change", actor, case, référent={"avant": person(previous), "après": person(referent)},
           motif=keep(case, reason), tâches=moved)
    if referent.pk != getattr(actor, "pk", None):
        notify_referent(case, referent)
