"""Changing a case's referent, and handing a leaving member's cases over (issue 14, item 3).

The referent's open tasks of the case (the care to set up, the reviews, anything else they hold
on it) move with the case, so that nobody is left holding the work of a case they no longer follow.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from cases.actions.base import lock, person, record, require_cell_member, require_text
from cases.event_texts import keep
from cases.models import Case, State
from cases.rules import CaseRight
from organisation import handover, policy
from organisation.errors import ActionRefused
from organisation.handover import Holding
from workflows import tasks
from workflows.models import OPEN_STATUSES, TEAM_TASKS, CaseTask

# The open states in which a case has a referent.
WITH_REFERENT = (State.ASSIGNED, State.IN_CARE, State.MOBILE_TEAM_REQUESTED)


def change_referent(actor, case: Case, *, referent, reason: str) -> Case:
    """A coordinator gives the case to another member of the cellule, saying why."""
    reason = require_text(reason, "reason", "Indiquez le motif du changement de référent.")
    with transaction.atomic():
        case = lock(case)
        policy.require(actor, CaseRight.CHANGE_REFERENT, case)
        _change(actor, case, referent, reason)
    return case


def _change(actor, case: Case, referent, reason: str) -> None:
    """The change itself, on the locked case, once the right is checked."""
    if case.state not in WITH_REFERENT or case.referent is None:
        raise ActionRefused(f"Le signalement {case.reference} est à l'état « {case.get_state_display()} » : "
                            "il n'a pas de référent à remplacer.")
    if referent is None or referent.pk == case.referent_id:
        raise ValidationError({"referent": "Choisissez un autre référent que le référent actuel."})
    require_cell_member(case, referent)
    previous = case.referent
    case.referent = referent
    case.save()
    moved = tasks.hand_over(case, previous, referent)
    record("case.referent_change", actor, case, référent={"avant": person(previous), "après": person(referent)},
           motif=keep(case, reason), tâches=moved)


def _held(cell, user_ids: list[int]) -> dict[int, list[Holding]]:
    """The open cases each member is the referent of, and the open tasks they hold, in two queries."""
    found: dict[int, list[Holding]] = {}
    for case in Case.objects.filter(departement_id=cell.departement_id, referent_id__in=user_ids).exclude(
            state=State.CLOSED).order_by("reference"):
        found.setdefault(case.referent_id, []).append(
            Holding(f"Référent du signalement {case.reference}", reverse("cases:detail", args=[case.pk])))
    for task in (CaseTask.objects.filter(departement_id=cell.departement_id, listed_owner_id__in=user_ids,
                                         listed_status__in=OPEN_STATUSES)
                 .exclude(flow_task_name__in=TEAM_TASKS).select_related("case").order_by("due_on", "pk")):
        found.setdefault(task.listed_owner_id, []).append(
            Holding(f"Tâche « {task.get_flow_task_name_display()} » du signalement {task.case.reference}",
                    reverse("cases:detail", args=[task.case_id])))
    return found


def _hand_over(actor, membership, successor) -> None:
    """A leaving member's cases go to ``successor`` (their tasks with them); the tasks they took from
    the queue go back to it, where whoever may do them takes them: the successor may not be allowed
    to (a member cannot take a coordinator's task)."""
    reason = f"Fin de participation de {person(membership.user)} à la cellule"
    for case in Case.objects.filter(departement_id=membership.cell.departement_id,
                                    referent_id=membership.user_id).exclude(state=State.CLOSED).order_by("pk"):
        _change(actor, lock(case), successor, reason)  # in end_membership's transaction
    tasks.release_held(actor, membership.user, membership.cell.departement_id)


handover.register(_held, _hand_over)
