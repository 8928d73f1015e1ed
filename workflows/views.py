"""The inbox: my tasks, my team's queue (claim, release), the tasks I finished and, for the coordinators,
those the cellule's members hold (late, escalated, to put back in the queue)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from viewflow.workflow.status import STATUS

import audit
from organisation import policy
from organisation.errors import ActionRefused
from organisation.models import Membership, Role
from organisation.policy import Actor, user_id
from ui.counts import CappedPaginator
from ui.french import count
from ui.statements import Prepared
from workflows import kinds, saved_views, tasks
from workflows.models import OPEN_STATUSES, CaseTask, SavedView
from workflows.rules import (
    TaskRight,
    tasks_claimable_by,
    tasks_held_by,
    tasks_held_in_cellule,
    tasks_releasable_by,
    tasks_visible_to,
)
from workflows.task_view import finished_message, visible_task
from workflows.tasks import Bulk
from workflows.view_pages import back_to

PAGE_SIZE = 25
TABS = {
    "mine": "Mes tâches",
    "queue": "File de mon équipe",
    "done": "Terminées",
    "cellule": "Tâches de la cellule",  # for its coordinators: held by the members
}


PAGES = {"mine": SavedView.Page.MINE, "queue": SavedView.Page.QUEUE, "done": SavedView.Page.DONE,
         "cellule": SavedView.Page.CELLULE}


def _filters(tab: str, query) -> tuple[str, str, bool, bool]:
    """The request's filters a list applies, each one it knows or none: the kind of task, the due dates
    (late, to come), the latest due first, (the cellule's) the escalated tasks only."""
    task_type, due = query.get("type", ""), query.get("echeance", "")
    return (task_type if kinds.get(task_type) is not None else "", due if due in ("retard", "a-venir") else "",
            query.get("tri") == "-echeance", tab == "cellule" and query.get("signalees") == "1")


def _tasks(user: Actor, tab: str, filters: tuple[str, str, bool, bool], today) -> QuerySet[CaseTask]:
    # The mobile team's tasks are worked in its own portal, which shows the request, never the case
    # (none of these lists names them).
    task_type, due, latest_first, escalated = filters
    if tab == "cellule":
        found = tasks_held_in_cellule(user)
        if escalated:
            found = found.filter(escalated_on__isnull=False)
    elif tab == "mine":
        found = tasks_held_by(user).filter(listed_status__in=[STATUS.ASSIGNED, STATUS.STARTED])
    elif tab == "queue":
        found = tasks_claimable_by(user)
    else:
        found = tasks_held_by(user).filter(listed_status=STATUS.DONE)
    if task_type:
        found = found.filter(flow_task_name=task_type)
    if due == "retard":
        found = found.filter(due_on__lt=today)
    elif due == "a-venir":
        found = found.filter(due_on__gte=today)
    order = "-due_on" if latest_first else "due_on"
    return found.select_related("case__person", "case__departement", "departement", "owner").order_by(order, "pk")


def _listed(user: Actor, tab: str, query) -> Prepared:
    """The list's tasks, its statements kept per person, scope, filters and day (``ui.statements``)."""
    filters, today = _filters(tab, query), timezone.localdate()
    return Prepared(("task list", tab, user_id(user), policy.scope(user).key, filters, today),
                    lambda: _tasks(user, tab, filters, today))


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
    chosen = saved_views.choose(request, PAGES[tab])
    if tab == "cellule":
        policy.require(request.user, TaskRight.VIEW_CELLULE_TASKS)
    page = CappedPaginator(_listed(request.user, tab, chosen.query), PAGE_SIZE).get_page(request.GET.get("page"))
    _decided_elsewhere(page)
    shown = [task.reference for task in page if task.reference]
    # The read in the trail of each département whose cases it named (an accepted transfer's: the one here).
    for code in sorted({(task.departement if task.elsewhere else task.case.departement).code
                        for task in page if task.reference}):
        audit.record("task.list", departement=code, details={"liste": tab, "signalements": shown})
    coordinator = policy.can(request.user, TaskRight.VIEW_CELLULE_TASKS)
    bulk = BULK[tab] + ((Bulk.GIVE,) if tab in ("queue", "cellule") and coordinator else ())
    return render(request, "workflows/task_list.html", {
        "page": page, "tab": tab, "title": TABS[tab], "task_types": kinds.choices(),
        "tabs": {key: label for key, label in TABS.items() if key != "cellule" or coordinator},
        "releasable": {t.pk for t in page if tab == "cellule" and policy.can(request.user, TaskRight.RELEASE_TASK, t)},
        "query": chosen.query, "today": timezone.localdate(), "views": saved_views.context(request, chosen, PAGES[tab]),
        "bulk": [(action.value, action.label) for action in bulk] if page.object_list else [],
        # What may be ticked: in one's own and the cellule's lists, the tasks of a queue (not a référent's).
        "selectable": {t.pk for t in page if tab == "queue" or (t.kind is not None and t.kind.queue)},
        "people": takers(request.user) if Bulk.GIVE in bulk and page.object_list else [],
    })


# What each list's ticked tasks may go through at once (a coordinator may also give them, ``Bulk.GIVE``).
BULK = {"queue": (Bulk.CLAIM,), "mine": (Bulk.RELEASE,), "cellule": (Bulk.RELEASE,), "done": ()}


def takers(user: Actor) -> list:
    """The people of the cellules the user coordinates, to whom a task may be given (the entry point
    then checks each may take it): one query."""
    return list(get_user_model().objects.filter(
        memberships__in=Membership.objects.active().filter(
            role__in=Role.cell_roles(), cell_id__in=policy.scope(user).coordinated_cell_ids),
        is_active=True).distinct().order_by("last_name", "first_name"))


@require_POST
def bulk_action(request):
    """Take, release or give the ticked tasks of a list: all of them, or none (``tasks.bulk``)."""
    back = back_to(request)
    action = request.POST.get("action", "")
    chosen = [int(pk) for pk in request.POST.getlist("taches") if pk.isdigit()][:PAGE_SIZE]
    if action not in Bulk.values or not chosen:
        messages.error(request, "Cochez au moins une tâche et choisissez ce qu'il faut en faire.")
        return redirect(back)
    # Where each action looks for its tasks: a task outside it is a 404, and nothing is done.
    found = tasks_releasable_by(request.user) if action == Bulk.RELEASE else (
        tasks_visible_to(request.user) | tasks_held_in_cellule(request.user))
    found_tasks = list(found.filter(pk__in=chosen).select_related("case").order_by("pk"))  # locked in one order
    if len(found_tasks) != len(set(chosen)):
        raise Http404("Page introuvable.")
    person = None
    if action == Bulk.GIVE:
        person_id = request.POST.get("personne", "")
        person = get_user_model().objects.filter(pk=int(person_id) if person_id.isdigit() else 0,
                                                 is_active=True).first()
    try:
        done = tasks.bulk(request.user, Bulk(action), found_tasks, person)
    except ActionRefused as refusal:
        messages.error(request, f"Aucune tâche n'a été modifiée. {refusal.message}")
        return redirect(back)
    one, many = {Bulk.CLAIM: ("prise", "prises"), Bulk.RELEASE: ("remise dans la file", "remises dans la file"),
                 Bulk.GIVE: ("confiée", "confiées")}[Bulk(action)]
    given = f" à {person.get_full_name()}" if Bulk(action) == Bulk.GIVE and person else ""
    messages.success(request, f"{count(len(done), f'tâche {one}', f'tâches {many}')}{given}.")
    return redirect(back)


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
