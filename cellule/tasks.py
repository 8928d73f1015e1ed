"""The cellule's tasks for ``workflows``: the coordinators answer a family's interview request."""

from cases.models import State
from cellule.models import InterviewRequest
from workflows.models import TaskType
from workflows.tasks import expects


@expects
def interview_tasks(case) -> set[TaskType]:
    if case.state != State.CLOSED and case.interview_requests.filter(
            status=InterviewRequest.Status.REQUESTED).exists():
        return {TaskType.ANSWER_INTERVIEW}
    return set()
