"""Escalation: a task overdue by more than its own due period again goes up to the
cellule's coordinators, once, recorded, by e-mail and first in their digest."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from audit.events import label
from audit.models import Event
from organisation.policy import SYSTEM, AccessDenied
from tests.cases.factories import CaseFactory
from workflows import escalation
from workflows.models import CaseTask
from workflows.notifications import overdue_digest

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

TODAY = timezone.localdate()


def later(days: int):
    return time_machine.travel(TODAY + datetime.timedelta(days=days))


def set_up_care(case) -> CaseTask:
    return case.tasks.get(flow_task_name="set_up_care")  # given to the referent, due in 15 days


def test_a_task_goes_up_once_overdue_by_its_own_due_period_again(personas, django_capture_on_commit_callbacks):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    task = set_up_care(case)
    with later(15 + 15):  # overdue by exactly its period: not yet
        assert escalation.escalate(SYSTEM) == []
    with later(15 + 16), django_capture_on_commit_callbacks(execute=True):
        assert [t.pk for t in escalation.escalate(SYSTEM)] == [task.pk]
        assert escalation.escalate(SYSTEM) == []  # once
    task.refresh_from_db()
    assert task.escalated_on == TODAY + datetime.timedelta(days=31)
    event = Event.objects.get(action="task.escalate")
    assert (event.object_id, event.departement, event.details["signalement"]) == (
        str(task.pk), case.departement.code, case.reference)
    assert label("task.escalate") == "Tâche en retard signalée aux coordonnateurs"
    [notice] = mail.outbox
    assert notice.to == [personas.coord_a.email]
    assert case.reference in notice.subject and personas.member_a.get_full_name() in notice.body
    assert case.person.last_name not in notice.subject + notice.body  # no name in an e-mail


def test_done_tasks_and_the_mobile_teams_are_not_escalated(personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    CaseTask.objects.filter(pk=set_up_care(case).pk).update(listed_status="DONE")
    with later(90):
        assert [t.flow_task_name for t in escalation.due(TODAY + datetime.timedelta(days=90))] == []


def test_only_the_daily_job_escalates(personas):
    with pytest.raises(AccessDenied):
        escalation.escalate(personas.coord_a)


def test_the_daily_digest_escalates_first(personas, django_capture_on_commit_callbacks):
    held = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    queued = CaseFactory(coordinator=personas.coord_a)  # its family contact waits in the queue
    contact = queued.tasks.get(flow_task_name="contact_family")
    day = max((contact.due_on + contact.due_period - TODAY).days + 1, 16)  # the set-up, due day 15, only late
    with later(day), django_capture_on_commit_callbacks(execute=True):
        call_command("send_overdue_digest", stdout=StringIO())
    notices = [m for m in mail.outbox if "signalée" in m.subject]
    assert [(m.to, queued.reference in m.subject) for m in notices] == [([personas.coord_a.email], True)]
    digests = {m.to[0]: m.body for m in mail.outbox if m not in notices}
    assert held.reference in digests[personas.member_a.email]
    assert f"{queued.reference} : Contacter la famille, échue le {contact.due_on:%d/%m/%Y} — signalée aux " \
           "coordonnateurs" in digests[personas.coord_a.email]


def test_a_digest_lists_the_escalated_tasks_first(personas):
    first, second = (CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
                     for _ in range(2))
    CaseTask.objects.filter(pk=set_up_care(second).pk).update(escalated_on=TODAY)
    _, body = overdue_digest(personas.member_a, [set_up_care(first), set_up_care(second)])
    assert body.index(second.reference) < body.index(first.reference)
