"""The page of one task, the view of every node of ``CaseFlow``: a task is done on its case (or, for
the mobile team, on its request), so it opens the action that does it."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from viewflow.workflow.status import STATUS

from organisation import policy
from workflows.models import OPEN_STATUSES, TEAM_TASKS, TaskType
from workflows.rules import TaskRight, tasks_visible_to

# The case action that does each task (cases.views.actions).
TASK_ACTION = {
    "contact_family": "contact",
    "name_referent": "attribuer",
    "set_up_care": "prise-en-charge",
    "review": "revue",
    "decide_closure": "cloturer",
    "read_team_answer": "lire-reponse-equipe-mobile",
    "answer_interview": "",  # answered on the case page, where each request has its own form
    "accept_transfer": "",  # answered on the transfer's page, the case being another département's
}


def finished_message(task) -> str:
    """Why a task can no longer be taken or done: it is done, or its case moved on without it."""
    if task.status == STATUS.DONE:
        return f"La tâche « {task.get_flow_task_name_display()} » est déjà faite : il n'y a plus rien à faire."
    return (f"La tâche « {task.get_flow_task_name_display()} » a été annulée : le signalement "
            f"{task.case.reference} est passé à l'état « {task.case.get_state_display()} ».")


def visible_task(request, pk: int):
    return get_object_or_404(tasks_visible_to(request.user).select_related("case"), pk=pk)


def task_detail(request, pk: int, **kwargs):
    """A task is done on its case: open the action that does it."""
    task = visible_task(request, pk)
    if task.flow_task_name in TEAM_TASKS:
        request_pk = task.case.mobile_team_requests.order_by("-pk").values_list("pk", flat=True).first()
        return redirect("mobile_team:request", pk=request_pk)
    if task.status not in OPEN_STATUSES:
        messages.info(request, finished_message(task))
        return redirect("workflows:inbox")
    if not policy.can(request.user, TaskRight.EXECUTE_TASK, task):
        messages.info(request, "Prenez d'abord cette tâche dans la file de votre équipe.")
        return redirect("workflows:queue")
    if task.flow_task_name == TaskType.ACCEPT_TRANSFER:
        return redirect("cases:transfer", pk=task.case.transfer_requests.pending().get().pk)
    if not TASK_ACTION[task.flow_task_name]:
        return redirect("cases:detail", pk=task.case_id)
    return redirect("cases:action", pk=task.case_id, slug=TASK_ACTION[task.flow_task_name])
