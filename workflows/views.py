"""The inbox: my tasks, my team's queue (claim, release), the tasks I finished and, for the coordinators,
those the cellule's members hold (late, escalated, to put back in the queue)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from viewflow.workflow.status import STATUS

import audit
from organisation import policy
from organisation.errors import ActionRefused
from workflows import tasks
from workflows.models import OPEN_STATUSES, TEAM_TASKS, CaseTask, TaskType
from workflows.rules import TaskRight, tasks_held_in_cellule, tasks_releasable_by, tasks_visible_to
from workflows.task_view import TASK_ACTION, finished_message, visible_task

PAGE_SIZE = 25
TABS = {
    "mine": "Mes tâches",
    "queue": "File de mon équipe",
    "done": "Terminées",
    "cellule": "Tâches de la cellule",  # for its coordinators: held by the members
}


def _tasks(request, tab: str):
    # The mobile team's tasks are worked in its own portal, which shows the request, never the case.
    found = tasks_visible_to(request.user).exclude(flow_task_name__in=TEAM_TASKS)
    if tab == "cellule":
        policy.require(request.user, TaskRight.VIEW_CELLULE_TASKS)
        found = tasks_held_in_cellule(request.user)
        if request.GET.get("signalees") == "1":
            found = found.filter(escalated_on__isnull=False)
    elif tab == "mine":
        found = found.filter(listed_owner=request.user, listed_status__in=[STATUS.ASSIGNED, STATUS.STARTED])
    elif tab == "queue":
        # Free tasks the policy lets the user claim (tasks_visible_to shows no one else's free task).
        found = found.filter(listed_status=STATUS.NEW, listed_owner__isnull=True)
    else:
        found = found.filter(listed_owner=request.user, listed_status=STATUS.DONE)
    task_type = request.GET.get("type", "")
    if task_type in TASK_ACTION:
        found = found.filter(flow_task_name=task_type)
    today = timezone.localdate()
    due = request.GET.get("echeance", "")
    if due == "retard":
        found = found.filter(due_on__lt=today)
    elif due == "a-venir":
        found = found.filter(due_on__gte=today)
    order = "-due_on" if request.GET.get("tri") == "-echeance" else "due_on"
    return found.select_related("case__person", "case__departement", "departement", "owner").order_by(order, "pk")


def _decided_elsewhere(page) -> None:
    """A transfer's task in the receiving département, once done, names the case only if it was
    accepted (by the case opened here); a refused one was another département's case, of which the
    list keeps nothing (issue 23). Each task of the page gets ``reference``, what the list shows."""
    decided = [task for task in page if task.departement_id != task.case.departement_id
               and task.status not in OPEN_STATUSES]
    continued = dict(CaseTask.objects.filter(
        pk__in=[task.pk for task in decided], case__transfer_requests__destination_id=F("departement_id"),
        case__transfer_requests__new_case__isnull=False,
    ).values_list("pk", "case__transfer_requests__new_case__reference")) if decided else {}
    for task in page:
        task.elsewhere = task in decided
        task.reference = continued.get(task.pk, "") if task.elsewhere else task.case.reference


def task_list(request, tab: str = "mine"):
    page = Paginator(_tasks(request, tab), PAGE_SIZE).get_page(request.GET.get("page"))
    _decided_elsewhere(page)
    shown = [task.reference for task in page if task.reference]
    # The read in the trail of each département whose cases it named (an accepted transfer's: the one here).
    for code in sorted({(task.departement if task.elsewhere else task.case.departement).code
                        for task in page if task.reference}):
        audit.record("task.list", departement=code, details={"liste": tab, "signalements": shown})
    coordinator = policy.can(request.user, TaskRight.VIEW_CELLULE_TASKS)
    return render(request, "workflows/task_list.html", {
        "page": page, "tab": tab, "title": TABS[tab], "task_types": TaskType.choices,
        "tabs": {key: label for key, label in TABS.items() if key != "cellule" or coordinator},
        "releasable": {t.pk for t in page if tab == "cellule" and policy.can(request.user, TaskRight.RELEASE_TASK, t)},
        "query": request.GET, "today": timezone.localdate(),
    })


@require_POST
def claim(request, pk: int):
    task = visible_task(request, pk)
    if task.status not in OPEN_STATUSES:  # not "taken by someone else": nobody will do it any more
        messages.error(request, finished_message(task))
        return redirect("workflows:queue")
    try:
        task = tasks.claim(request.user, task)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("workflows:queue")
    messages.success(request, f"Tâche « {task.get_flow_task_name_display()} » prise : elle est dans vos tâches.")
    return redirect("workflows:inbox")


@require_POST
def release(request, pk: int):
    """One's own task from the inbox, or a coordinator's release of a member's task from the case page
    (where they come back to)."""
    task = get_object_or_404(tasks_releasable_by(request.user).select_related("case"), pk=pk)
    own = task.owner_id == request.user.pk
    try:
        task = tasks.release(request.user, task)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"Tâche « {task.get_flow_task_name_display()} » remise dans la file de l'équipe.")
    return redirect("workflows:inbox") if own else redirect("cases:detail", pk=task.case_id)
