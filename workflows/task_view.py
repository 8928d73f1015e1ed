"""The page of one task, the view of every node of ``CaseFlow``: a task is done where its kind says
(``TaskKind.page``: an action of its case, or the mobile team's request), so it opens that page."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from viewflow.workflow.status import STATUS

from organisation import policy
from workflows.models import OPEN_STATUSES
from workflows.rules import TaskRight, tasks_visible_to


def finished_message(task) -> str:
    """Why a task can no longer be taken or done: it is done, or its case moved on without it."""
    if task.status == STATUS.DONE:
        return f"La tâche « {task.label} » est déjà faite : il n'y a plus rien à faire."
    return (f"La tâche « {task.label} » a été annulée : le signalement "
            f"{task.case.reference} est passé à l'état « {task.case.get_state_display()} ».")


def visible_task(request, pk: int):
    return get_object_or_404(tasks_visible_to(request.user).select_related("case"), pk=pk)


def task_detail(request, pk: int, **kwargs):
    """A task is done on its page: open it."""
    task = visible_task(request, pk)
    if task.kind is not None and task.kind.portal:  # the team's request page says where it stands
        return redirect(task.kind.page(task))
    if task.status not in OPEN_STATUSES:
        messages.info(request, finished_message(task))
        return redirect("workflows:inbox")
    if not policy.can(request.user, TaskRight.EXECUTE_TASK, task):
        messages.info(request, "Prenez d'abord cette tâche dans la file de votre équipe.")
        return redirect("workflows:queue")
    return redirect(task.kind.page(task) if task.kind is not None else task.case.get_absolute_url())
