"""The cellule's tasks held by its members, for its coordinators: who is late,
what was escalated, put back in the queue; the same queries however many tasks; nobody else's list."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.task_kinds import CONTACT_FAMILY
from tests.cases.factories import CaseFactory
from workflows import tasks
from workflows.models import CaseTask

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

TODAY = timezone.localdate()


def held_contact(personas):
    """A family contact taken from the queue by the coordinator, then given to no one else: held."""
    case = CaseFactory(coordinator=personas.coord_a)
    return tasks.claim(personas.coord_a, case.tasks.get(flow_task_name=CONTACT_FAMILY))


def test_the_coordinator_sees_late_and_escalated_tasks_held_and_puts_one_back(client, personas):
    late = held_contact(personas)
    CaseTask.objects.filter(pk=late.pk).update(due_on=TODAY - datetime.timedelta(days=20), escalated_on=TODAY)
    review = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True).tasks.open().get()
    client.force_login(personas.coord_a)
    page = client.get(reverse("workflows:cellule"), {"echeance": "retard"}).content.decode()
    assert late.case.reference in page and review.case.reference not in page and "Signalée le" in page
    page = client.get(reverse("workflows:cellule")).content.decode()
    assert review.case.reference in page and "Prénom-Member-a Nom-Member-a" in page
    escalated = client.get(reverse("workflows:cellule"), {"signalees": "1"}).content.decode()
    assert late.case.reference in escalated and review.case.reference not in escalated
    # The review is the référent's own (its change goes through "Changer de référent"); the contact goes back.
    assert page.count('/rendre/"') == 1
    response = client.post(reverse("workflows:release", args=[late.pk]))
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.owner is None


@pytest.mark.parametrize("who", ["member_a", "mobile", "inspector", "national", "admin"])
def test_nobody_but_a_coordinator_lists_them(client, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get(reverse("workflows:cellule")).status_code == 403


def test_another_cellules_coordinator_sees_none_of_them(client, personas):
    held = held_contact(personas)
    client.force_login(personas.coord_b)
    assert held.case.reference not in client.get(reverse("workflows:cellule")).content.decode()
    assert "Tâches de la cellule" in client.get(reverse("workflows:inbox")).content.decode()
    client.force_login(personas.member_a)
    assert "Tâches de la cellule" not in client.get(reverse("workflows:inbox")).content.decode()


def test_the_list_reads_the_same_queries_however_many_tasks(client, personas):
    held_contact(personas)
    client.force_login(personas.coord_a)
    client.get(reverse("workflows:cellule"))  # the session and the scope, once
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("workflows:cellule"))
    for _ in range(4):
        held_contact(personas)
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("workflows:cellule"))
    assert len(more) == len(few)
