"""The case's own kinds of task (``workflows.kinds``): what each state of its lifecycle gives to the
people who must act (docs/case-lifecycle.md), the coordinators' decision on a proposed closure, and
the receiving coordinators' answer to a transfer."""

import datetime

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone

from cases.models import CareMeasure, CaseTransfer, State
from workflows.kinds import Queue, TaskKind, counted_from, register
from workflows.models import CaseTask


def _action(slug: str):
    """The task is done by an action of its case's page."""
    return lambda task: reverse("cases:action", args=[task.case_id, slug])


def _referent(case):
    return case.referent


def _family_contact_due_on(task) -> datetime.date:
    """The family is contacted within days of the signalement's receipt; a later contact task
    (after a reopening) counts from the day it is opened, and a first one from the day its opener
    says (``kinds.counted_from``: an import's)."""
    start = counted_from()
    if start is None:
        today = timezone.localdate()
        first = not CaseTask.objects.filter(case_id=task.case_id, flow_task_name=CONTACT_FAMILY).exists()
        start = min(task.process.case.received_on, today) if first else today
    return start + datetime.timedelta(days=settings.TASK_DUE_DAYS[CONTACT_FAMILY])


def _review_due_on(task) -> datetime.date:
    """The review falls due on the case's next review date, which the référent set at the last review
    (or the start of care set); a case without one counts the review's own delay."""
    case = task.process.case
    return case.next_review_on or (counted_from() or timezone.localdate()) + datetime.timedelta(
        days=settings.TASK_DUE_DAYS[REVIEW])


def _transfer(task) -> str:
    """A transfer is answered on its own page, the case being another département's."""
    return reverse("cases:transfer", args=[task.case.transfer_requests.pending().get().pk])


def _destination(case) -> int:
    """The receiving cellule's coordinators decide: the task is in their queue."""
    return case.transfer_requests.pending().get().destination_id


def _continued_here(tasks: list) -> dict[int, tuple[str, str]]:
    """A decided transfer, in the receiving département's lists: the case opened there if it was
    accepted; nothing of the other département's case if it was refused or withdrawn."""
    continued = dict(CaseTask.objects.filter(
        pk__in=[task.pk for task in tasks], case__transfer_requests__destination_id=F("departement_id"),
        case__transfer_requests__new_case__isnull=False,
    ).values_list("pk", "case__transfer_requests__new_case__reference"))
    return {task.pk: (continued[task.pk], "Transfert accepté") if task.pk in continued
            else ("", "Transfert refusé (dossier d'un autre département)") for task in tasks}


CONTACT_FAMILY = TaskKind("contact_family", label="Contacter la famille", queue=Queue.FAMILY_CONTACTS,
                          due_on=_family_contact_due_on, page=_action("contact"))
NAME_REFERENT = TaskKind("name_referent", label="Désigner un référent", queue=Queue.COORDINATORS,
                         page=_action("attribuer"))
SET_UP_CARE = TaskKind("set_up_care", label="Démarrer la prise en charge", assignee=_referent,
                       page=_action("prise-en-charge"))
REVIEW = TaskKind("review", label="Revue de suivi", assignee=_referent, due_on=_review_due_on, page=_action("revue"),
                  told_as="Revue de suivi à faire — {reference}")
DECIDE_CLOSURE = TaskKind("decide_closure", label="Décider de la clôture", queue=Queue.COORDINATORS,
                          page=_action("cloturer"))
REBASE_MEASURE = TaskKind("rebase_measure", label="Adhésion retirée : terminer ou refonder la prise en charge",
                          assignee=_referent,
                          page=lambda task: reverse("cases:detail", args=[task.case_id]) + "#prises-en-charge")
ACCEPT_TRANSFER = TaskKind("accept_transfer", label="Accepter ou refuser un transfert entrant",
                           queue=Queue.COORDINATORS, page=_transfer, listed_in=_destination,
                           named_after=_continued_here)

EXPECTED: dict[str, set[str]] = {
    State.RECEIVED: {CONTACT_FAMILY},
    State.FAMILY_CONTACTED: {NAME_REFERENT},
    State.ASSIGNED: {SET_UP_CARE},
    State.IN_CARE: {REVIEW},
    State.MOBILE_TEAM_REQUESTED: {REVIEW},
    State.CLOSED: set(),
}


def lifecycle_questions(case) -> dict[str, Exists]:
    """Of an open case: is a transfer pending, has a measure under way lost its adhesion."""
    if not case.is_open:
        return {}
    return {"transfer_pending": Exists(CaseTransfer.objects.pending().filter(case=OuterRef("pk"))),
            "adhesion_lost": Exists(CareMeasure.objects.filter(case=OuterRef("pk"), ends_on__isnull=True,
                                                               consent_lost_on__isnull=False))}


def lifecycle_tasks(case, answers) -> set[str]:
    """The state's tasks, the coordinators' decision when the referent proposed to close, a pending
    transfer's acceptance by the receiving coordinators, and the référent's decision on a measure whose
    adhesion was withdrawn."""
    tasks = set(EXPECTED[case.state])
    if case.closure_proposed and case.state in (State.IN_CARE, State.MOBILE_TEAM_REQUESTED):
        tasks.add(DECIDE_CLOSURE)
    tasks |= {ACCEPT_TRANSFER} if answers.get("transfer_pending") else set()
    tasks |= {REBASE_MEASURE} if answers.get("adhesion_lost") else set()
    return tasks


register(CONTACT_FAMILY, NAME_REFERENT, SET_UP_CARE, REVIEW, DECIDE_CLOSURE, ACCEPT_TRANSFER, REBASE_MEASURE,
         asks=lifecycle_questions, expects=lifecycle_tasks)
