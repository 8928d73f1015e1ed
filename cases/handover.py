"""What a member leaving the cellule holds of its cases, and handing it over (``organisation.handover``):
the cases they are the référent of go to their successor, with their tasks; the tasks they took from
the queue go back to it."""

from typing import cast

from django.contrib.auth.models import User

from cases.actions.base import lock, person
from cases.actions.referent import replace_referent
from cases.models import Case, State
from organisation import handover
from organisation.handover import Holding
from organisation.models import Cell, Membership
from organisation.policy import Actor
from workflows import kinds, tasks
from workflows.models import OPEN_STATUSES, CaseTask


def held(cell, user_ids: list[int]) -> dict[int, list[Holding]]:
    """The open cases each member is the referent of, and the open tasks they hold, in two queries."""
    found: dict[int, list[Holding]] = {}
    for case in Case.objects.filter(departement_id=cell.departement_id, referent_id__in=user_ids).exclude(
            state=State.CLOSED).order_by("reference"):
        found.setdefault(case.referent_id, []).append(
            Holding(f"Référent du signalement {case.reference}", case.get_absolute_url()))
    for task in (CaseTask.objects.filter(departement_id=cell.departement_id, listed_owner_id__in=user_ids,
                                         listed_status__in=OPEN_STATUSES)
                 .exclude(flow_task_name__in=kinds.in_portal()).select_related("case").order_by("due_on", "pk")):
        found.setdefault(cast(int, task.listed_owner_id), []).append(  # held: it has an owner
            Holding(f"Tâche « {task.label} » du signalement {task.case.reference}",
                    task.case.get_absolute_url()))
    return found


def hand_over(actor: Actor, membership: Membership, successor: User) -> None:
    """A leaving member's cases go to ``successor`` (their tasks with them); the tasks they took from
    the queue go back to it, where whoever may do them takes them: the successor may not be allowed
    to (a member cannot take a coordinator's task)."""
    reason = f"Fin de participation de {person(membership.user)} à la cellule"
    cell = cast(Cell, membership.cell)  # who holds cases sits in a cellule (``end_membership`` checked it)
    for case in Case.objects.filter(departement_id=cell.departement_id,
                                    referent_id=membership.user_id).exclude(state=State.CLOSED).order_by("pk"):
        replace_referent(actor, lock(case), successor, reason)  # in end_membership's transaction
    tasks.release_held(actor, membership.user, cell.departement_id)


handover.register(held, hand_over)
