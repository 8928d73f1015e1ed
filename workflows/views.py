"""The inbox: my tasks, my team's queue (claim, release), the tasks I finished and, for the coordinators,
those the cellule's members hold (late, escalated, to put back in the queue)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from viewflow.workflow.status import STATUS

import audit
from organisation import policy
from organisation.errors import ActionRefused
from workflows import kinds, tasks
from workflows.models import OPEN_STATUSES
from workflows.rules import TaskRight, tasks_held_in_cellule, tasks_releasable_by, tasks_visible_to
from workflows.task_view import finished_message, visible_task

PAGE_SIZE = 25
TABS = {
    "mine": "Mes tâches",
    "queue": "File de mon équipe",
    "done": "Terminées",
    "cellule": "Tâches de la cellule",  # for its coordinators: held by the members
}


def _tasks(request, tab: str):
    # The mobile team's tasks are worked in its own portal, which shows the request, never the case.
    found = tasks_visible_to(request.user).exclude(flow_task_name__in=kinds.in_portal())
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
    if kinds.get(task_type) is not None:
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
    """A task listed in another département than its case's (``TaskKind.listed_in``: a transfer to
    accept), once done, names of the case only what its kind says (``TaskKind.named_after``): a case
    of another département leaves nothing here. Each task of the page gets ``reference`` and
    ``text``, what the list shows of it."""
    decided = [task for task in page if task.departement_id != task.case.departement_id
               and task.status not in OPEN_STATUSES]
    named: dict[int, tuple[str, str]] = {}
    for kind in {task.kind for task in decided if task.kind is not None and task.kind.named_after}:
        named.update(kind.named_after([task for task in decided if task.kind == kind]))
    for task in page:
        task.elsewhere = task in decided
        if task.elsewhere:
            task.reference, task.text = named.get(task.pk, ("", f"{task.label} (dossier d'un autre département)"))
        else:
            task.reference, task.text = task.case.reference, task.label


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
        "page": page, "tab": tab, "title": TABS[tab], "task_types": kinds.choices(),
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
    messages.success(request, f"Tâche « {task.label} » prise : elle est dans vos tâches.")
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
        messages.success(request, f"Tâche « {task.label} » remise dans la file de l'équipe.")
    return redirect("workflows:inbox") if own else redirect(task.case.get_absolute_url())
