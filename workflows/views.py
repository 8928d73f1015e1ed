"""The inbox: my tasks, my team's queue (claim, release) and the tasks I finished."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

import audit
from organisation import policy
from organisation.errors import ActionRefused
from workflows.models import TEAM_TASKS

PAGE_SIZE = 25
# The case action that does each task (cases.views.actions).
TASK_ACTION = {
    "contact_family": "contact",
    "name_referent": "attribuer",
    "set_up_care": "prise-en-charge",
    "review": "revue",
    "decide_closure": "cloturer",
    "read_team_answer": "lire-reponse-equipe-mobile",
    "answer_interview": "",  # answered on the case page, where each request has its own form
}
TABS = {
    "mine": "Mes tâches",
    "queue": "File de mon équipe",
    "done": "Terminées",
}


def _tasks(request, tab: str):
    from workflows.flows import CaseFlow

    # The mobile team's tasks are worked in its own portal, which shows the request, never the case.
    tasks = policy.tasks_visible_to(request.user).exclude(flow_task_name__in=TEAM_TASKS)
    if tab == "mine":
        tasks = tasks.filter(owner=request.user, status__in=[STATUS.ASSIGNED, STATUS.STARTED])
    elif tab == "queue":
        # viewflow's own queue (permission check), narrowed by the policy above to the user's cellules
        tasks = tasks.filter(status=STATUS.NEW, task_ptr__in=Task.objects.queue([CaseFlow], request.user).values("pk"))
    else:
        tasks = tasks.filter(owner=request.user, status=STATUS.DONE)
    task_type = request.GET.get("type", "")
    if task_type in TASK_ACTION:
        tasks = tasks.filter(flow_task_name=task_type)
    today = timezone.localdate()
    due = request.GET.get("echeance", "")
    if due == "retard":
        tasks = tasks.filter(due_on__lt=today)
    elif due == "a-venir":
        tasks = tasks.filter(due_on__gte=today)
    order = "-due_on" if request.GET.get("tri") == "-echeance" else "due_on"
    return tasks.select_related("case__person", "case__departement", "owner").order_by(order, "pk")


def task_list(request, tab: str = "mine"):
    from workflows.models import TaskType

    page = Paginator(_tasks(request, tab), PAGE_SIZE).get_page(request.GET.get("page"))
    shown = [task.case.reference for task in page]
    for code in sorted({task.case.departement.code for task in page}):
        audit.record("task.list", departement=code, details={"liste": tab, "signalements": shown})
    return render(request, "workflows/task_list.html", {
        "page": page, "tab": tab, "tabs": TABS, "title": TABS[tab], "task_types": TaskType.choices,
        "query": request.GET, "today": timezone.localdate(),
    })


def _task(request, pk: int):
    return get_object_or_404(policy.tasks_visible_to(request.user).select_related("case"), pk=pk)


@require_POST
def claim(request, pk: int):
    from workflows import tasks

    try:
        task = tasks.claim(request.user, _task(request, pk))
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("workflows:queue")
    messages.success(request, f"Tâche « {task.get_flow_task_name_display()} » prise : elle est dans vos tâches.")
    return redirect("workflows:inbox")


@require_POST
def release(request, pk: int):
    from workflows import tasks

    try:
        task = tasks.release(request.user, _task(request, pk))
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"Tâche « {task.get_flow_task_name_display()} » remise dans la file de l'équipe.")
    return redirect("workflows:inbox")


def task_detail(request, pk: int, **kwargs):
    """A task is done on its case: open the action that does it."""
    task = _task(request, pk)
    if task.flow_task_name in TEAM_TASKS:
        request_pk = task.case.mobile_team_requests.order_by("-pk").values_list("pk", flat=True).first()
        return redirect("mobile_team:request", pk=request_pk)
    if not policy.can(request.user, policy.Action.EXECUTE_TASK, task):
        messages.info(request, "Prenez d'abord cette tâche dans la file de votre équipe.")
        return redirect("workflows:queue")
    if not TASK_ACTION[task.flow_task_name]:
        return redirect("cases:detail", pk=task.case_id)
    return redirect("cases:action", pk=task.case_id, slug=TASK_ACTION[task.flow_task_name])
