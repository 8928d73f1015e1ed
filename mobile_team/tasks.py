"""The mobile team's tasks for ``workflows``, and their service level (issue 5).

The team accepts a request within working days (French public holidays excluded) and intervenes
within days of the request; the coordinators read each answer of the team.
"""

import datetime

import holidays
from django.conf import settings
from django.utils import timezone

from cases.models import State
from mobile_team.models import MobileTeamRequest
from workflows.deadlines import due_rule
from workflows.models import TEAM_TASKS, TaskType
from workflows.tasks import expects

# The mobile team's task for each open state of a request.
TEAM_EXPECTED = {
    MobileTeamRequest.Status.REQUESTED: TaskType.HANDLE_REQUEST,
    MobileTeamRequest.Status.ACCEPTED: TaskType.SCHEDULE_INTERVENTION,
    MobileTeamRequest.Status.SCHEDULED: TaskType.REPORT_INTERVENTION,
}


@expects
def team_tasks(case) -> set[TaskType]:
    if case.state == State.CLOSED:
        return set()
    requests = list(case.mobile_team_requests.values_list("status", "answer_unread"))  # one query, a few rows
    tasks = {TEAM_EXPECTED[status] for status, _ in requests if status in TEAM_EXPECTED}
    if any(unread for _, unread in requests):
        tasks.add(TaskType.READ_TEAM_ANSWER)
    return tasks


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """``days`` working days after ``start``: no weekend, no French public holiday."""
    public = holidays.France(years=range(start.year, start.year + 2))
    current = start
    while days > 0:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5 and current not in public:
            days -= 1
    return current


@due_rule(*TEAM_TASKS)
def team_task_due_on(task) -> datetime.date:
    request = task.process.case.mobile_team_requests.filter(status__in=MobileTeamRequest.OPEN).last()
    requested = timezone.localdate(request.requested_at) if request else timezone.localdate()
    if task.flow_task_name == TaskType.HANDLE_REQUEST:
        return add_working_days(requested, settings.MOBILE_TEAM_ACCEPTANCE_WORKING_DAYS)
    return requested + datetime.timedelta(days=settings.MOBILE_TEAM_FIRST_INTERVENTION_DAYS)
