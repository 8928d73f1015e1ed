"""The mobile team's portal: the requests addressed to it, with only their minimal information.

Agents are national and have no cellule: they never reach a case page, its relatives or its other
measures; every page here is a read, recorded in the trail with the request's département.
"""

import datetime
import statistics
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

import audit
from cases import attachments as files
from cases.models import Case
from cases.rules import CaseRight
from cases.views.reading import ask_motive, motive_for
from mobile_team import actions, forms
from mobile_team.models import MessageAttachment, MobileTeamRequest
from mobile_team.rules import RequestRight, is_team
from mobile_team.task_kinds import HANDLE_REQUEST
from organisation import policy
from organisation.errors import ActionRefused
from organisation.policy import Actor
from ui.forms import ConfirmForm, submit
from workflows import kinds, tasks
from workflows.models import OPEN_STATUSES, CaseTask

Status = MobileTeamRequest.Status
TABS = {"a-prendre": "À prendre", "mes-demandes": "Mes demandes", "toutes": "Toutes"}



def _with_team_task(requests):
    """Each request with its open team task (id, holder, due date), in the same query."""
    task = CaseTask.objects.filter(case=OuterRef("case"), status__in=OPEN_STATUSES,
                                   flow_task_name__in=kinds.in_portal())
    return requests.annotate(
        task_id=Subquery(task.values("pk")[:1]), task_owner=Subquery(task.values("owner")[:1]),
        task_due=Subquery(task.values("due_on")[:1]), task_type=Subquery(task.values("flow_task_name")[:1]),
    )


def request_list(request, tab: str = "a-prendre"):
    policy.require(request.user, RequestRight.USE_PORTAL)
    if tab not in TABS:
        raise Http404("Onglet inconnu.")
    requests = _with_team_task(MobileTeamRequest.objects.select_related("handled_by"))
    if tab == "a-prendre":
        requests = requests.filter(status=Status.REQUESTED, task_owner__isnull=True)
    elif tab == "mes-demandes":
        requests = requests.filter(status__in=MobileTeamRequest.OPEN, task_owner=request.user.pk)
    requests = list(requests.order_by("-urgency", "requested_at")[:200])
    for code in sorted({r.departement for r in requests}):
        audit.record("mobile_request.list", departement=code,
                     details={"liste": tab, "demandes": [r.pk for r in requests if r.departement == code]})
    return render(request, "mobile_team/request_list.html", {
        "requests": requests, "tab": tab, "tabs": TABS, "today": timezone.localdate()})


@dataclass(frozen=True)
class TeamAction:
    slug: str
    title: str
    form: type
    call: Callable
    permission: RequestRight
    transition: str = ""
    statuses: tuple[str, ...] = ()  # narrows the transition's source statuses, when given
    initial: Callable[[MobileTeamRequest], dict] = lambda req: {}

    def state_allows(self, req: MobileTeamRequest) -> bool:
        from django_fsm import can_proceed

        return can_proceed(getattr(req, self.transition)) and (not self.statuses or req.status in self.statuses)


def _planned(req: MobileTeamRequest) -> dict:
    """The planned intervention, to change its date or place (the local time, as the field shows it)."""
    at = timezone.localtime(req.scheduled_at).strftime("%Y-%m-%dT%H:%M") if req.scheduled_at else None
    return {"scheduled_at": at, "place": req.scheduled_place, "intervener": req.intervener}


TEAM_ACTIONS = [
    TeamAction("accepter", "Accepter la demande", ConfirmForm,
               lambda user, r, **data: actions.accept(user, r), RequestRight.HANDLE_MOBILE_REQUEST, "accept"),
    TeamAction("decliner", "Décliner la demande", forms.DeclineRequestForm, actions.decline,
               RequestRight.HANDLE_MOBILE_REQUEST, "decline"),
    # Planned once; afterwards the same transition changes the date or place, under its own name.
    TeamAction("planifier", "Planifier l'intervention", forms.ScheduleForm, actions.schedule,
               RequestRight.WORK_MOBILE_REQUEST, "schedule", statuses=(Status.ACCEPTED,)),
    TeamAction("modifier-intervention", "Modifier la date ou le lieu de l'intervention", forms.ScheduleForm,
               actions.schedule, RequestRight.WORK_MOBILE_REQUEST, "schedule", statuses=(Status.SCHEDULED,),
               initial=_planned),
    TeamAction("compte-rendu", "Rédiger un compte rendu d'intervention", forms.ReportForm, actions.add_report,
               RequestRight.WORK_MOBILE_REQUEST, "complete"),
    TeamAction("terminer", "Terminer la demande", ConfirmForm,
               lambda user, r, **data: actions.complete(user, r), RequestRight.WORK_MOBILE_REQUEST, "complete"),
]
BY_SLUG = {a.slug: a for a in TEAM_ACTIONS}


def _available(user: Actor, req: MobileTeamRequest) -> list[TeamAction]:
    return [a for a in TEAM_ACTIONS if a.state_allows(req) and policy.can(user, a.permission, req)]


def _get(request, pk: int) -> MobileTeamRequest:
    policy.require(request.user, RequestRight.USE_PORTAL)
    return get_object_or_404(_with_team_task(MobileTeamRequest.objects.select_related("handled_by", "contact")), pk=pk)


def request_detail(request, pk: int):
    req = _get(request, pk)
    audit.record("mobile_request.view", obj=req, departement=req.departement, details={"demande": req.pk})
    actions.mark_read(request.user, req)
    return render(request, "mobile_team/request_detail.html", {
        "req": req, "reports": req.reports.select_related("by"), "actions": _available(request.user, req),
        "thread": req.messages.select_related("author", "read_by").prefetch_related("attachments"),
        "message_form": forms.MessageForm.of(req),
        # the team task's kind and holder, annotated by _with_team_task
        "can_claim": getattr(req, "task_type", None) == HANDLE_REQUEST and getattr(req, "task_owner", None) is None,
        "today": timezone.localdate()})


@require_POST
def send_message(request, pk: int):
    """Either side writes on the request: the team from the request's page, the coordinators from
    the case's page (whoever may not read the case does not learn the request exists)."""
    req = get_object_or_404(MobileTeamRequest.objects.select_related("case", "handled_by"), pk=pk)
    if is_team(request.user):
        back = redirect("mobile_team:request", pk=req.pk)
    else:
        policy.get_or_404(request.user, CaseRight.VIEW_CASE, Case.objects.all(), pk=req.case_id)
        back = redirect(reverse("cases:detail", args=[req.case_id]) + "#equipe-mobile")
    policy.require(request.user, RequestRight.CONVERSE_MOBILE_REQUEST, req)
    form = forms.MessageForm.of(req, request.POST, request.FILES)
    if submit(request, form, "Message", lambda data: actions.send_message(request.user, req, data["text"],
                                                                          data["attachments"]),
              done="Message envoyé.", refusal_on_form=True):
        return back
    # Refused or incomplete: the message as typed, with what to correct (the files are chosen again).
    return render(request, "mobile_team/message_refused.html", {"req": req, "form": form, "back": back.url},
                  status=400)


@require_GET
def message_attachment(request, pk: int, attachment: int):
    """A file of the conversation, for the team and for whoever reads the case, with the motive the
    case page asks (its page shows the thread); each read recorded with it."""
    req = get_object_or_404(MobileTeamRequest.objects.select_related("case"), pk=pk)
    motive: dict | None = {}
    if is_team(request.user):
        policy.require(request.user, RequestRight.CONVERSE_MOBILE_REQUEST, req)
    else:
        case = policy.get_or_404(request.user, CaseRight.VIEW_CASE, Case.objects.all(), pk=req.case_id)
        motive = motive_for(request, case)
        if motive is None:
            return ask_motive(request, case)
    file = get_object_or_404(MessageAttachment, pk=attachment, message__request=req)
    return files.response(file, lambda: audit.record(
        "mobile_request.attachment_read", obj=req, departement=req.departement,
        details={"demande": req.pk, "pièce": file.pk, **(motive or {})}))


@require_POST
def claim(request, pk: int):
    req = _get(request, pk)
    task = CaseTask.objects.filter(pk=getattr(req, "task_id", None), flow_task_name=HANDLE_REQUEST).first()
    if task is None:
        messages.error(request, "Cette demande n'attend plus d'être prise.")
        return redirect("mobile_team:request", pk=req.pk)
    try:
        tasks.claim(request.user, task)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "Demande prise : acceptez-la ou déclinez-la.")
    return redirect("mobile_team:request", pk=req.pk)


def request_action(request, pk: int, slug: str):
    action = BY_SLUG.get(slug)
    if action is None:
        raise Http404("Action inconnue.")
    req = _get(request, pk)
    # The real cause first, as on a case's page: the request's state (the team reads every request), then the right.
    if not action.state_allows(req):
        messages.error(request,
                       f"« {action.title} » n'est pas possible : la demande est « {req.get_status_display()} ».")
        return redirect("mobile_team:request", pk=req.pk)
    if not policy.can(request.user, action.permission, req):
        raise policy.AccessDenied(request.user, action.permission, req)
    form = action.form(request.POST if request.method == "POST" else None, initial=action.initial(req))
    if submit(request, form, action.title, lambda data: action.call(request.user, req, **data)):
        return redirect("mobile_team:request", pk=req.pk)
    audit.record("mobile_request.view", obj=req, departement=req.departement, details={"demande": req.pk,
                                                                                         "page": slug})
    return render(request, "mobile_team/request_action.html", {"req": req, "action": action, "form": form,
                                                                "target": actions.target_date(req)},
                  status=400 if request.method == "POST" else 200)


AGE_BUCKETS = [(2, "2 jours ou moins"), (7, "3 à 7 jours"), (15, "8 à 15 jours"), (None, "plus de 15 jours")]


def dashboard(request):
    """Open requests by département and by age; median delays over the last 90 days. Counts and
    delays only, no request's content: the national level, which pilots the team, sees it too."""
    policy.require(request.user, RequestRight.VIEW_TEAM_DASHBOARD)
    now = timezone.now()
    open_requests = MobileTeamRequest.objects.filter(status__in=MobileTeamRequest.OPEN)
    by_departement = open_requests.values("departement").annotate(count=Count("pk")).order_by("departement")
    ages = [(now - at).days for at in open_requests.values_list("requested_at", flat=True)]
    by_age, lower = [], -1
    for upper, label in AGE_BUCKETS:
        by_age.append((label, sum(1 for age in ages if age > lower and (upper is None or age <= upper))))
        lower = upper if upper is not None else lower
    recent = MobileTeamRequest.objects.filter(requested_at__gte=now - datetime.timedelta(days=90))
    acceptance = [(r.accepted_at - r.requested_at).total_seconds() / 86400
                  for r in recent.exclude(accepted_at=None).only("accepted_at", "requested_at")]
    first = [(min(rep.on for rep in r.reports.all()) - timezone.localdate(r.requested_at)).days
             for r in recent.prefetch_related("reports") if r.reports.all()]
    audit.record("mobile_team.dashboard", details={"demandes_ouvertes": len(ages)})
    return render(request, "mobile_team/dashboard.html", {
        "by_departement": by_departement, "by_age": by_age, "open_count": len(ages),
        "median_acceptance": statistics.median(acceptance) if acceptance else None,
        "median_first_intervention": statistics.median(first) if first else None,
        "acceptance_count": len(acceptance), "first_count": len(first)})
