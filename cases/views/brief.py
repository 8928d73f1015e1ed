"""What a task page shows of its case (``case_page.case_action``): enough to act without opening the
file — the young person, the care under way and its plan's objectives, the last review and family
contact, each party's consent, and the lines the apps above add (``case_page.register_panel(...,
brief=True)``: the mobile team's latest request) — in a fixed number of queries; and,
once the task is done, the user's next task, offered on the case page they land on (``NEXT_TASK``)."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Consent
from organisation.policy import user_id
from workflows import kinds
from workflows.models import CaseTask

NEXT_TASK = "tache-suivante"  # the case page's parameter: offer the user's next task


def brief(case: Case) -> dict[str, Any]:
    return {
        "age": case.person.age(timezone.localdate()),
        "measures": list(case.care_measures.filter(ends_on__isnull=True).select_related("institution")),
        "objectives": list(case.objectives.all()),
        "last_review": case.followups.select_related("by").order_by("-on", "-pk").first(),
        "last_contact": case.family_contacts.order_by("-on", "-pk").first(),
        "consents": list(Consent.current(case.consents.all()).values()),
    }


def after_task(case: Case) -> str:
    """Where a user lands once they acted on the case: its page, which offers their next task."""
    return f"{reverse('cases:detail', args=[case.pk])}?{NEXT_TASK}=1"


def offered_task(request: HttpRequest) -> CaseTask | None:
    """The next task the case page offers after an action (``after_task``): the earliest due of the open
    tasks the user holds, if any."""
    if request.GET.get(NEXT_TASK) != "1":
        return None
    return (CaseTask.objects.open().filter(owner_id=user_id(request.user))
            .exclude(flow_task_name__in=kinds.in_portal()).select_related("case").order_by("due_on", "pk").first())
