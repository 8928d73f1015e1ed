"""The cellule's kind of task (``workflows.kinds``): the coordinators answer a family's interview
request, on the case's page, where each request has its own form."""

from cases.models import State
from cellule.models import InterviewRequest
from workflows.kinds import Queue, TaskKind, register

ANSWER_INTERVIEW = TaskKind("answer_interview", label="Répondre à une demande d'entretien de la famille",
                            queue=Queue.COORDINATORS, page=lambda task: task.case.get_absolute_url())


def interview_tasks(case) -> set[str]:
    if case.state != State.CLOSED and case.interview_requests.filter(
            status=InterviewRequest.Status.REQUESTED).exists():
        return {ANSWER_INTERVIEW}
    return set()


register(ANSWER_INTERVIEW, expects=interview_tasks)
