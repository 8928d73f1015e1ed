"""When each task is due (BRIEF §3; the mobile team's service level, issue 5).

The family is contacted within days of the signalement's receipt; the mobile team accepts a request
within working days (French public holidays excluded) and intervenes within days of the request;
every other task counts from the day it is opened.
"""

import datetime

import holidays
from django.conf import settings
from django.utils import timezone


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """``days`` working days after ``start``: no weekend, no French public holiday."""
    public = holidays.France(years=range(start.year, start.year + 2))
    current = start
    while days > 0:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5 and current not in public:
            days -= 1
    return current


def due_on(task) -> datetime.date:
    from workflows.models import CaseTask, TaskType

    today = timezone.localdate()
    name = task.flow_task_name
    case = task.process.case
    if name == TaskType.CONTACT_FAMILY and not CaseTask.objects.filter(
        case_id=task.case_id, flow_task_name=TaskType.CONTACT_FAMILY
    ).exists():
        return min(case.received_on, today) + datetime.timedelta(days=settings.TASK_DUE_DAYS[name])
    if name in (TaskType.HANDLE_REQUEST, TaskType.SCHEDULE_INTERVENTION, TaskType.REPORT_INTERVENTION):
        request = case.mobile_team_requests.filter(status__in=["requested", "accepted", "scheduled"]).last()
        requested = timezone.localdate(request.requested_at) if request else today
        if name == TaskType.HANDLE_REQUEST:
            return add_working_days(requested, settings.MOBILE_TEAM_ACCEPTANCE_WORKING_DAYS)
        return requested + datetime.timedelta(days=settings.MOBILE_TEAM_FIRST_INTERVENTION_DAYS)
    return today + datetime.timedelta(days=settings.TASK_DUE_DAYS[name])
