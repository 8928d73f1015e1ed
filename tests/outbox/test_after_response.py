"""A request's e-mails leave after its response: the request queues them in its transaction, the
outbox's worker sends them (``outbox.queue.AfterCommitBackend``); a command still sends its own at
its commit, so that the demo's commands need no worker."""

import pytest
from django.core import mail
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from outbox.mail import queue_mail
from outbox.queue import run_due
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _never_in_request(settings):
    settings.OUTBOX_SEND_IN_REQUEST = False  # as outside the tests


def test_a_transition_answers_with_its_mail_queued_then_the_outbox_sends_it(
        personas, client, django_capture_on_commit_callbacks):
    case = CaseFactory(coordinator=personas.coord_a, state="family_contacted")
    client.force_login(personas.coord_a)
    with django_capture_on_commit_callbacks(execute=True):  # committed, as a real request is
        response = client.post(reverse("cases:action", args=[case.pk, "attribuer"]),
                               {"referent": personas.member_a.memberships.get().pk})
    assert response.status_code == 302
    assert not mail.outbox
    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert queued.count() == 2  # the task given to the référent, and their naming
    assert {tuple(row.args_kwargs["args"][0]["to"]) for row in queued} == {(personas.member_a.email,)}
    assert run_due() == 2  # the worker, after the response
    assert [message.to for message in mail.outbox] == [[personas.member_a.email]] * 2


def test_outside_a_request_the_mail_leaves_at_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue_mail("Objet", "Corps", ["a@exemple.invalid"])
    assert [message.to for message in mail.outbox] == [["a@exemple.invalid"]]
    assert run_due() == 0
