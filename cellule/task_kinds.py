"""The cellule's kinds of task (``workflows.kinds``): the coordinators answer a family's interview
request, on the case's page, where each request has its own form; the owner of a meeting's decision
gives it its follow-up, on the decision's page."""

import datetime

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from cellule.models import InterviewRequest, Meeting, MeetingItem
from workflows.kinds import Queue, TaskKind, register

ANSWER_INTERVIEW = TaskKind("answer_interview", label="Répondre à une demande d'entretien de la famille",
                            queue=Queue.COORDINATORS, page=lambda task: task.case.get_absolute_url())


def _open_decisions():
    """The decisions to follow up: taken at a closed meeting, not yet done."""
    return MeetingItem.objects.filter(meeting__status=Meeting.Status.CLOSED, done_on__isnull=True).exclude(outcome="")


def open_decision(case) -> MeetingItem | None:
    """The case's decision to follow up first, the earliest due. A case has one such task at a time; once it is
    done, the next decision's owner gets theirs."""
    return _open_decisions().filter(case=case).select_related("owner").order_by("due_on", "pk").first()


def _decision_owner(case):
    decision = open_decision(case)
    return decision.owner if decision else None


def _decision_due_on(task) -> datetime.date:
    decision = open_decision(task.case)
    return decision.due_on if decision and decision.due_on else timezone.localdate()


def _decision_page(task) -> str:
    decision = open_decision(task.case)
    return reverse("meetings:decision", args=[decision.pk]) if decision else task.case.get_absolute_url()


MEETING_DECISION = TaskKind("meeting_decision", label="Donner suite à une décision de réunion",
                            assignee=_decision_owner, due_on=_decision_due_on, page=_decision_page)


def cellule_questions(case) -> dict[str, Exists]:
    """Of an open case: an interview request to answer, a meeting's decision to follow up."""
    if not case.is_open:
        return {}
    return {"interview_requested": Exists(InterviewRequest.objects.filter(
                case=OuterRef("pk"), status=InterviewRequest.Status.REQUESTED)),
            "decision_open": Exists(_open_decisions().filter(case=OuterRef("pk")))}


def cellule_tasks(case, answers) -> set[str]:
    return {kind for kind, wanted in ((ANSWER_INTERVIEW, answers.get("interview_requested")),
                                      (MEETING_DECISION, answers.get("decision_open"))) if wanted}


register(ANSWER_INTERVIEW, MEETING_DECISION, asks=cellule_questions, expects=cellule_tasks)
