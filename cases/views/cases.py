"""The case list and the case page (the intake form: ``cases.views.intake``)."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Count, Min, Model, Prefetch, Q, QuerySet, prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

import audit
from audit.models import Event
from cases import event_texts
from cases.actions.transfer import pending as transfer_pending
from cases.forms import MotiveForm, NoteForm
from cases.models import (
    Bilan,
    CareMeasure,
    Case,
    CaseSignalement,
    CaseTransfer,
    Consent,
    FamilyContact,
    FollowUpNote,
    Objective,
    ObjectiveResult,
    PlanAction,
    Relative,
    ReviewProgress,
    Source,
    State,
)
from cases.models.visits import last_visit, visit, with_changes
from cases.rules import CaseRight, needs_motive, partnered_cases, sees_note
from cases.views import lifecycle
from cases.views.brief import offered_task
from cases.views.case_page import PANELS, TABS, available_actions, record_view, remember_motive
from cases.views.limited import limited_page
from cases.views.notes import visible_notes
from cases.views.reading import NEXT, ask_motive, motive_for
from organisation import policy
from organisation.models import Membership, Role
from organisation.policy import Actor, user_id
from ui import statements
from ui.counts import CappedPaginator
from workflows import saved_views
from workflows.models import CaseTask, SavedView
from workflows.rules import TaskRight, cases_held

PAGE_SIZE = 25
# What the trail keeps of a search by name or commune (a reference, every word with a digit, is kept).
NAME_SEARCHED = "(nom ou commune, non conservé au journal)"


def motive(request, pk: int):
    """Ask why a case outside the user's own work is opened; the answer goes with the read event.
    Then back to the page or file that asked (``suivant``), the case page by default."""
    case = policy.get_or_404(request.user, CaseRight.VIEW_CASE, Case.objects.select_related("departement"), pk=pk)
    form = MotiveForm(request.POST if request.method == "POST" else None)
    back = request.POST.get(NEXT) or request.GET.get(NEXT, "")
    if not (back.startswith("/") and url_has_allowed_host_and_scheme(back, {request.get_host()})):
        back = reverse("cases:detail", args=[case.pk])
    if request.method == "POST" and form.is_valid():
        remember_motive(request, case, *form.motive())
        return redirect(back)
    return render(request, "cases/motive.html", {"case": case, "form": form, "next": back},
                  status=400 if request.method == "POST" else 200)


def _filters(query) -> tuple[str, str, int | None]:
    """The state, the source and the référent the list is asked for, each one it knows or none."""
    state, source, referent = query.get("state"), query.get("source"), query.get("referent", "")
    return (state if state in State.values else "", source if source in Source.values else "",
            int(referent) if referent.isdigit() else None)


def _cases(user: User, text: str, filters: tuple[str, str, int | None]) -> QuerySet[Case]:
    state, source, referent = filters
    cases = with_changes(
        Case.objects.visible_to(user).select_related("person", "referent", "departement").search(text, user=user), user)
    if state:
        cases = cases.filter(state=state)
    if source:
        cases = cases.filter(source=source)
    if referent is not None:
        cases = cases.filter(referent_id=referent)
    return cases.order_by("-received_on", "-number")


def _listed(user: User, query) -> statements.Prepared | QuerySet[Case]:
    """The list's cases: without a search, its statements kept per person, scope and filters
    (``ui.statements``); with one, built at each request (its text, maybe a name, is not kept)."""
    text, filters = query.get("q", ""), _filters(query)
    if text.replace("\x00", "").strip():  # what ``CaseQuerySet.search`` searches
        return _cases(user, text, filters)
    return statements.Prepared(("case list", user_id(user), policy.scope(user).key, filters),
                               lambda: _cases(user, "", filters))


def case_list(request):
    if not policy.scope(request.user).departement_ids:  # the national roles never list cases
        raise policy.AccessDenied(request.user, CaseRight.VIEW_CASE)
    chosen = saved_views.choose(request, SavedView.Page.CASES)
    query = chosen.query
    page = CappedPaginator(_listed(request.user, query), PAGE_SIZE).get_page(request.GET.get("page"))
    # A young person's name only where the user may open the case without giving a motive: the list
    # must not reveal what the motive protects (the others are listed by reference).
    held = cases_held(request.user, list(page)) | partnered_cases(request.user, list(page))
    due = next_due_dates(page)
    for case in page:
        case.named = not needs_motive(request.user, case, held)
        case.next_due = due.get(case.pk)
    shown = [case.reference for case in page]
    filters = {k: v for k, v in query.items() if k != "page"}
    if filters.get("q") and saved_views.searches_names(filters["q"]):
        filters["q"] = NAME_SEARCHED  # the cases shown are recorded; a name never stands in the trail
    for code in sorted({case.departement.code for case in page}) or [""]:
        audit.record("case.list", departement=code, details={"filtres": filters, "signalements": shown})
    return render(request, "cases/case_list.html", {
        "page": page, "states": State.choices, "sources": Source.choices, "referents": _referents(request.user),
        "can_intake": bool(policy.scope(request.user).coordinated_cell_ids), "query": query,
        "today": timezone.localdate(), "views": saved_views.context(request, chosen, SavedView.Page.CASES),
    })


def _referents(user: Actor) -> list:
    """The people who may be référent in the cellules whose cases the user sees: read from the
    memberships, not from the cases (a query over every visible case grew with the file); its statement
    kept per départements and day (``ui.statements``)."""
    departements, today = policy.scope(user).departement_ids, timezone.localdate()
    return statements.instances(("référents", tuple(sorted(departements)), today), lambda: (
        get_user_model().objects.filter(memberships__in=Membership.objects.active(today).filter(
            role__in=Role.cell_roles(), cell__departement_id__in=departements)
        ).distinct().order_by("last_name", "first_name")))


def next_due_dates(cases) -> dict[int, datetime.date]:
    """Each case's next deadline: the nearest due date of its open tasks, for a page in one query (its
    statement kept per cases: ``ui.statements``)."""
    ids = tuple(case.pk for case in cases)
    return dict(statements.values(("next due dates", ids), lambda: (
        CaseTask.objects.open().filter(case__in=ids).order_by()
        .values("case_id").annotate(due=Min("due_on")).values_list("case_id", "due"))))


def case_events(case, count: int = 100) -> list:
    """The case page's history: the last events on the case, its reads left out, with the texts
    they refer to (``cases.event_texts``)."""
    listed = statements.of(("case events", count), lambda pk: (
        Event.objects.filter(object_type="cases.case", object_id=str(pk)).exclude(action="case.view")
        .order_by("-time", "-id")[:count]), case.pk)
    event_texts.resolve(listed)
    return listed


def before_transfer(user: Actor, case: Case) -> list[dict]:
    """The file of the cases this one continues (``Case.origins``): what came with the transfer, as
    the reader of this case sees it (``VIEW_CASE`` on it, checked by the caller)."""
    return [{
        "case": origin,
        "contacts": origin.family_contacts.select_related("by"),
        "consents": origin.consents.all(),
        "measures": origin.care_measures.select_related("institution"),
        "followups": origin.followups.select_related("by"),
        "notes": [note for note in origin.notes.select_related("author").prefetch_related("named", "attachments")
                  if sees_note(user, note, case)],
        "timeline": case_events(origin),
    } for origin in case.origins()]


def _family_cases(case: Case) -> dict[str, int]:
    """How many other cases the young person has, and how many brothers and sisters have cases, in one query."""
    def counted(family: int, person: int, pk: int) -> QuerySet:
        mine = Q(person_id=person)
        return Case.objects.filter(person__family_id=family).exclude(pk=pk).values("person__family_id").annotate(
            other_cases=Count("pk", filter=mine), siblings=Count("person", distinct=True, filter=~mine),
        ).values_list("other_cases", "siblings").order_by()
    found = statements.values_of("family's cases", counted, case.person.family_id, case.person_id, case.pk)
    other_cases, siblings = found[0] if found else (0, 0)
    return {"other_cases": other_cases, "siblings": siblings}


def flags(case: Case, open_tasks: list, measures: list, transfer_pending: bool) -> list[tuple[str, str]]:
    """What needs attention on the case, for its summary: (DSFR badge level, words)."""
    found = [("error", "Tâche en retard") if any(task.is_overdue for task in open_tasks) else None,
             ("warning", "Clôture proposée par le référent") if case.closure_proposed and case.is_open else None,
             ("info", "Transfert en attente") if transfer_pending else None,
             ("warning", "Adhésion retirée : prise en charge à refonder") if any(
                 m.consent_lost_on and not m.ends_on for m in measures) else None,
             ("info", "Équipe mobile sollicitée") if case.state == State.MOBILE_TEAM_REQUESTED else None]
    return [flag for flag in found if flag]


def _of_case(case: Case, model: type[Model], *related: str, order: tuple[str, ...] = ()) -> list:
    """The case's rows of ``model`` (with the rows of ``related``, in the model's order unless ``order``), their
    statement compiled once per worker (``ui.statements.of``)."""
    ordering = order or tuple(model._meta.ordering or ())
    return statements.of(("case page", model._meta.label, related, ordering), lambda pk: model._default_manager.filter(
        case_id=pk).select_related(*related).order_by(*ordering), case.pk, known={"case": case})


def _with(found: list, *lookups) -> list:
    """``found`` with what ``lookups`` prefetch for them (none asked when ``found`` is empty)."""
    prefetch_related_objects(found, *lookups)
    return found


def case_detail(request, pk: int):
    # Its statement compiled once per worker and reader (``ui.statements.of``), the case's key bound.
    found = statements.of(("case page's case", user_id(request.user)), lambda key: Case.objects.select_related(
        "departement__cell", "person", "referent", "transferred_from").annotate(
            last_visit=last_visit(request.user)).filter(pk=key).order_by()[:1], pk)
    case = policy.found_or_404(request.user, (CaseRight.VIEW_CASE, CaseRight.VIEW_REFERRAL, CaseRight.VIEW_TOMBSTONE),
                               found[0] if found else None)
    if not policy.can(request.user, CaseRight.VIEW_CASE, case):
        return limited_page(request, case)
    motive = motive_for(request, case)
    if motive is None:
        return ask_motive(request, case)
    record_view(request, case, motive)
    changed_since_visit = visit(request.user, case)
    timeline = case_events(case)
    consents = _of_case(case, Consent, order=("on", "pk"))
    current_consents = list(Consent.current(consents).values())
    open_tasks = statements.of("open tasks of a case", lambda pk: CaseTask.objects.open().filter(
        case_id=pk).select_related("owner"), case.pk, known={"case": case})
    measures = _of_case(case, CareMeasure, "institution")
    # The plan read once, before the actions are offered: whether it has an objective is read from it.
    prefetch_related_objects([case], Prefetch("objectives", queryset=Objective.objects.prefetch_related(Prefetch(
        "actions", queryset=PlanAction.objects.select_related("owner", "institution", "measure__institution")))),
        Prefetch("transfer_requests", queryset=CaseTransfer.objects.select_related("destination")))
    can_edit = policy.can(request.user, CaseRight.EDIT_CASE, case) and case.state != State.CLOSED
    actions = available_actions(request.user, case)
    steps = lifecycle.path(case)
    return render(request, "cases/case_detail.html", {
        "case": case,
        "person": case.person,
        "age": case.person.age(timezone.localdate()),
        **_family_cases(case),
        "next_task": offered_task(request),
        "next_deadline": min(open_tasks, key=lambda task: (task.due_on, task.pk), default=None),
        "flags": flags(case, open_tasks, measures, transfer_pending=transfer_pending(case)),
        "path": steps, "path_segments": list(zip(steps, steps[1:], strict=False)),
        "path_tall_height": steps[-1].y + 20, "path_words": lifecycle.described(steps),
        "relatives": statements.of("relatives of", lambda pk: Relative.objects.filter(family__young_people=pk),
                                   case.person_id),
        "contacts": _of_case(case, FamilyContact, "by"),
        "consents": consents,
        "current_consents": current_consents,
        "measures": measures,
        "open_measures": [m for m in measures if m.ends_on is None],
        "followups": _with(_of_case(case, FollowUpNote, "by"),
                           Prefetch("progress", queryset=ReviewProgress.objects.select_related("objective"))),
        "objectives": case.objectives.all(),
        "bilans": _with(_of_case(case, Bilan, "written_by"),
                        Prefetch("results", queryset=ObjectiveResult.objects.select_related("objective"))),
        "signalements": _of_case(case, CaseSignalement),
        "open_tasks": open_tasks,
        # A coordinator may put back in the queue a task a member took from it (workflows.rules).
        "releasable": {t.pk for t in open_tasks if policy.can(request.user, TaskRight.RELEASE_TASK, t)},
        "transfer_requests": case.transfer_requests.all(),
        "before_transfer": before_transfer(request.user, case),
        "tabs": [(slug, title, [(panel.template, panel.context(request.user, case)) for panel in PANELS
                                if panel.tab == slug]) for slug, title in TABS],
        "timeline": timeline,
        "actions": actions,
        "primary_actions": [action for action in actions if action.primary],
        "can_edit": can_edit,
        "notes": visible_notes(request.user, case),
        "note_form": NoteForm(case=case) if can_edit else None,
        "can_manage_care": policy.can(request.user, CaseRight.MANAGE_CARE, case) and case.state != State.CLOSED,
        "changed_since_visit": changed_since_visit,
    })
