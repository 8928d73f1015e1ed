"""Requests to the mobile team walked to a status through the entry points."""

import datetime
from contextlib import nullcontext

import time_machine
from django.utils import timezone

from mobile_team import actions as mobile
from tests.cases.factories import CaseFactory
from workflows import tasks


def mobile_request(coordinator, agent, status: str = "requested"):
    """A request to the mobile team walked to ``status`` through the entry points: the case's
    coordinator asks, ``agent`` takes it, accepts, schedules, reports and completes as needed. A request
    planned or beyond was made three days ago and its intervention took place yesterday: it is reported
    on, and finished, today."""
    steps = ["requested", "claimed", "accepted", "scheduled", "reported", "completed"]
    if status in ("declined", "withdrawn"):
        target = 1 if status == "declined" else 0
    else:
        target = steps.index(status)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=3)) if target >= 3 else nullcontext():
        case = CaseFactory(coordinator=coordinator, referent=coordinator, mobile_team_requested=True)
        request = case.mobile_team_requests.get()
        if target >= 1:
            tasks.claim(agent, case.tasks.get(flow_task_name="handle_request"))
        if status == "declined":
            mobile.decline(agent, request, reason="Équipe complète ce mois-ci.")
        if status == "withdrawn":
            mobile.withdraw(coordinator, case, reason="La famille a trouvé un autre soutien.")
        if target >= 2:
            mobile.accept(agent, request)
        if target >= 3:
            mobile.schedule(agent, request, scheduled_at=timezone.now() + datetime.timedelta(days=2),
                            place="Centre médico-psychologique de Bobigny", intervener="Dr Élodie Petit")
    if target >= 4:
        mobile.add_report(agent, request, on=timezone.localdate(), text="Premier entretien ; adhésion du jeune.")
    if target >= 5:
        mobile.complete(agent, request)
    request.refresh_from_db()
    return request
