"""The mobile team's kinds of task (``workflows.kinds``), and their service level.

The team accepts a request within working days (French public holidays excluded) and intervenes
within days of the request; it works its tasks in its own portal, never with the case. The
coordinators read each answer of the team.
"""

import datetime

import holidays
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, State
from mobile_team.models import MobileTeamRequest
from workflows.kinds import Queue, TaskKind, register
from workflows.models import CaseTask


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """``days`` working days after ``start``: no weekend, no French public holiday."""
    public = holidays.France(years=range(start.year, start.year + 2))
    current = start
    while days > 0:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5 and current not in public:
            days -= 1
    return current


def _requested_on(task: CaseTask) -> datetime.date:
    request = task.process.case.mobile_team_requests.filter(status__in=MobileTeamRequest.OPEN).last()
    return timezone.localdate(request.requested_at) if request else timezone.localdate()


def _acceptance_due_on(task: CaseTask) -> datetime.date:
    return add_working_days(_requested_on(task), settings.MOBILE_TEAM_ACCEPTANCE_WORKING_DAYS)


def _intervention_due_on(task: CaseTask) -> datetime.date:
    return _requested_on(task) + datetime.timedelta(days=settings.MOBILE_TEAM_FIRST_INTERVENTION_DAYS)


def _request_page(task: CaseTask) -> str:
    """The team's tasks are done on the request's page of its portal."""
    pk = task.case.mobile_team_requests.order_by("-pk").values_list("pk", flat=True).first()
    return reverse("mobile_team:request", args=[pk])


def _handler(case: Case) -> User | None:
    """The agent who accepted the request schedules and reports."""
    request = case.mobile_team_requests.exclude(handled_by=None).last()
    return request.handled_by if request else None


HANDLE_REQUEST = TaskKind("handle_request", label="Accepter ou décliner une demande d'intervention",
                          queue=Queue.MOBILE_TEAM, portal=True, due_on=_acceptance_due_on, page=_request_page)
SCHEDULE_INTERVENTION = TaskKind("schedule_intervention", label="Planifier l'intervention", assignee=_handler,
                                 portal=True, due_on=_intervention_due_on, page=_request_page)
REPORT_INTERVENTION = TaskKind("report_intervention", label="Rendre compte de l'intervention", assignee=_handler,
                               portal=True, due_on=_intervention_due_on, page=_request_page)
READ_TEAM_ANSWER = TaskKind(
    "read_team_answer", label="Prendre connaissance de la réponse de l'équipe mobile", queue=Queue.COORDINATORS,
    page=lambda task: reverse("cases:action", args=[task.case_id, "lire-reponse-equipe-mobile"]))

# The mobile team's task for each open state of a request.
TEAM_EXPECTED: dict[str, TaskKind] = {
    MobileTeamRequest.Status.REQUESTED: HANDLE_REQUEST,
    MobileTeamRequest.Status.ACCEPTED: SCHEDULE_INTERVENTION,
    MobileTeamRequest.Status.SCHEDULED: REPORT_INTERVENTION,
}


def team_questions(case: Case) -> dict[str, Exists]:
    """Of a case not closed: has it a request in each open state, an answer of the team not read."""
    if case.state == State.CLOSED:
        return {}
    requests = MobileTeamRequest.objects.filter(case=OuterRef("pk"))
    return {**{f"team_{status}": Exists(requests.filter(status=status)) for status in TEAM_EXPECTED},
            "team_answer_unread": Exists(requests.filter(answer_unread=True))}


def team_tasks(case: Case, answers: dict) -> set[str]:
    tasks: set[str] = {kind for status, kind in TEAM_EXPECTED.items() if answers.get(f"team_{status}")}
    if answers.get("team_answer_unread"):
        tasks.add(READ_TEAM_ANSWER)
    return tasks


register(HANDLE_REQUEST, SCHEDULE_INTERVENTION, REPORT_INTERVENTION, READ_TEAM_ANSWER, asks=team_questions,
         expects=team_tasks)
