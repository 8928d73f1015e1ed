"""The tasks each state of a case gives to the people who must act (BRIEF §3), for ``workflows``."""

import datetime

from django.conf import settings
from django.utils import timezone

from cases.models import State
from workflows.deadlines import due_rule
from workflows.models import CaseTask, TaskType
from workflows.tasks import expects

EXPECTED: dict[str, set[TaskType]] = {
    State.RECEIVED: {TaskType.CONTACT_FAMILY},
    State.FAMILY_CONTACTED: {TaskType.NAME_REFERENT},
    State.ASSIGNED: {TaskType.SET_UP_CARE},
    State.IN_CARE: {TaskType.REVIEW},
    State.MOBILE_TEAM_REQUESTED: {TaskType.REVIEW},
    State.CLOSED: set(),
}


@expects
def lifecycle_tasks(case) -> set[TaskType]:
    """The state's tasks, the coordinators' decision when the referent proposed to close, and a
    pending transfer's acceptance by the receiving coordinators."""
    tasks = set(EXPECTED[case.state])
    if case.closure_proposed and case.state in (State.IN_CARE, State.MOBILE_TEAM_REQUESTED):
        tasks.add(TaskType.DECIDE_CLOSURE)
    if case.is_open and case.transfer_requests.pending().exists():
        tasks.add(TaskType.ACCEPT_TRANSFER)
    return tasks


@due_rule(TaskType.CONTACT_FAMILY)
def family_contact_due_on(task) -> datetime.date:
    """The family is contacted within days of the signalement's receipt; a later contact task
    (after a reopening) counts from the day it is opened."""
    today = timezone.localdate()
    start = today
    if not CaseTask.objects.filter(case_id=task.case_id, flow_task_name=TaskType.CONTACT_FAMILY).exists():
        start = min(task.process.case.received_on, today)
    return start + datetime.timedelta(days=settings.TASK_DUE_DAYS[TaskType.CONTACT_FAMILY])
