"""The cellule's kinds of task (``workflows.kinds``): the coordinators answer a family's interview
request, on the case's page, where each request has its own form; the owner of a meeting's decision
gives it its follow-up, on the decision's page."""

import datetime

from django.urls import reverse

from cases.models import State
from cellule.models import InterviewRequest, Meeting, MeetingItem
from workflows.kinds import Queue, TaskKind, register

ANSWER_INTERVIEW = TaskKind("answer_interview", label="Répondre à une demande d'entretien de la famille",
                            queue=Queue.COORDINATORS, page=lambda task: task.case.get_absolute_url())


def interview_tasks(case) -> set[str]:
    if case.state != State.CLOSED and case.interview_requests.filter(
            status=InterviewRequest.Status.REQUESTED).exists():
        return {ANSWER_INTERVIEW}
    return set()


register(ANSWER_INTERVIEW, expects=interview_tasks)


def open_decision(case) -> MeetingItem | None:
    """The case's decision to follow up first: decided at a closed meeting, not yet done, the earliest due.
    A case has one such task at a time; once done, the next decision's owner gets theirs."""
    return (MeetingItem.objects.filter(case=case, meeting__status=Meeting.Status.CLOSED, done_on__isnull=True)
            .exclude(outcome="").select_related("owner").order_by("due_on", "pk").first())


def _decision_owner(case):
    decision = open_decision(case)
    return decision.owner if decision else None


def _decision_due_on(task) -> datetime.date:
    decision = open_decision(task.case)
    assert decision is not None and decision.due_on is not None  # noqa: S101 (the task opens for one)
    return decision.due_on


def _decision_page(task) -> str:
    decision = open_decision(task.case)
    return reverse("meetings:decision", args=[decision.pk]) if decision else task.case.get_absolute_url()


MEETING_DECISION = TaskKind("meeting_decision", label="Donner suite à une décision de réunion",
                            assignee=_decision_owner, due_on=_decision_due_on, page=_decision_page)


def decision_tasks(case) -> set[str]:
    return {MEETING_DECISION} if case.is_open and open_decision(case) else set()


register(MEETING_DECISION, expects=decision_tasks)
