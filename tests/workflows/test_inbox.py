"""The inbox pages: mine, my team's queue, done; filters, sort, pagination, constant queries."""

import datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import CaseFactory
from workflows import tasks

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


def rows(response) -> list[str]:
    html = response.content.decode()
    body = html.split('<div class="fr-table fr-table--no-caption" id="tasks">', 1)[1].split("</tbody>", 1)[0]
    return [row for row in body.split("<tr>")[2:] if "Aucune tâche." not in row]


def test_the_queue_shows_reference_initials_age_task_and_due_date(client, personas):
    case = CaseFactory(coordinator=personas.coord_a, person__birth_date=datetime.date(2010, 1, 1))
    client.force_login(personas.coord_a)
    [row] = rows(client.get(reverse("workflows:queue")))
    age = case.person.age()
    assert case.reference in row and "L. D." in row and f"{age} ans" in row
    assert "Contacter la famille" in row and f"{case.tasks.get(flow_task_name='contact_family').due_on:%d/%m/%Y}" in row
    assert "En retard" not in row
    with time_machine.travel(timezone.localdate() + datetime.timedelta(days=30)):
        client.force_login(personas.coord_a)  # the session of a month ago has expired
        assert "En retard" in rows(client.get(reverse("workflows:queue")))[0]


def test_claim_and_release_through_the_pages(client, personas):
    case = CaseFactory(coordinator=personas.coord_a)
    task = case.tasks.get(flow_task_name="contact_family")
    client.force_login(personas.coord_a)
    response = client.post(reverse("workflows:claim", args=[task.pk]), follow=True)
    assert "Tâche « Contacter la famille » prise" in response.content.decode()
    assert len(rows(client.get(reverse("workflows:inbox")))) == 1
    assert rows(client.get(reverse("workflows:queue"))) == []
    again = client.post(reverse("workflows:claim", args=[task.pk]), follow=True)
    assert "déjà été prise" in again.content.decode()
    client.post(reverse("workflows:release", args=[task.pk]))
    assert len(rows(client.get(reverse("workflows:queue")))) == 1
    # "Traiter" opens the action that does the task, once held.
    client.post(reverse("workflows:claim", args=[task.pk]))
    treat = client.get(reverse("workflows:task", args=[task.pk]))
    assert treat["Location"] == reverse("cases:action", args=[case.pk, "contact"])


def test_another_departements_task_is_a_404(client, personas):
    task = CaseFactory(coordinator=personas.coord_a).tasks.get(flow_task_name="contact_family")
    client.force_login(personas.coord_b)
    assert client.post(reverse("workflows:claim", args=[task.pk])).status_code == 404
    assert client.get(reverse("workflows:task", args=[task.pk])).status_code == 404
    task.refresh_from_db()
    assert task.status == "NEW"


def test_done_lists_the_tasks_i_finished(client, personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    client.force_login(personas.member_a)
    done = rows(client.get(reverse("workflows:done")))
    assert len(done) == 1 and "Démarrer la prise en charge" in done[0]
    mine = rows(client.get(reverse("workflows:inbox")))
    assert len(mine) == 1 and "Revue de suivi" in mine[0] and case.reference in mine[0]


def test_filters_and_sort(client, personas):
    old = CaseFactory(coordinator=personas.coord_a, received_on=timezone.localdate() - datetime.timedelta(days=20))
    new = CaseFactory(coordinator=personas.coord_a, family_contacted=True)
    client.force_login(personas.coord_a)
    queue = reverse("workflows:queue")
    assert [new.reference in r for r in rows(client.get(queue, {"type": "name_referent"}))] == [True]
    overdue = rows(client.get(queue, {"echeance": "retard"}))
    assert len(overdue) == 1 and old.reference in overdue[0]
    ascending = rows(client.get(queue))
    descending = rows(client.get(queue, {"tri": "-echeance"}))
    assert old.reference in ascending[0] and old.reference in descending[-1]


def add_tasks(personas, count: int) -> None:
    """``count`` tasks in each list of the coordinator: done (the contact), mine (claimed), queue."""
    for _ in range(count):
        case = CaseFactory(coordinator=personas.coord_a, family_contacted=True)
        tasks.claim(personas.coord_a, case.tasks.get(flow_task_name="name_referent"))
        CaseFactory(coordinator=personas.coord_a)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_tasks(client, personas):
    client.force_login(personas.coord_a)
    tabs = [reverse(name) for name in ("workflows:inbox", "workflows:queue", "workflows:done")]
    add_tasks(personas, 5)
    client.get(tabs[0])  # the scope kept with the session from now on (organisation.session_scope)
    few = [count_queries(client, url) for url in tabs]
    add_tasks(personas, 45)
    assert [count_queries(client, url) for url in tabs] == few
    assert [len(rows(client.get(url))) for url in tabs] == [25, 25, 25]  # paginated
