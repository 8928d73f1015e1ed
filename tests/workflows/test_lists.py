"""Lists that work at scale: saved views shared inside the cellule only, with a role's default; the
ticked tasks taken, released or given all at once or not at all; a queue's task given to a named person."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from viewflow.workflow.status import STATUS

from audit.models import Event
from tests.cases.factories import CaseFactory
from tests.organisation.factories import MembershipFactory
from tests.workflows.test_inbox import rows
from workflows import tasks
from workflows.models import CaseTask, SavedView

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


def save(client, **data):
    return client.post(reverse("workflows:save_view"), {"suivant": reverse("workflows:queue"), **data})


# --- saved views -------------------------------------------------------------------------------------

def test_a_view_shared_in_the_cellule_opens_for_a_colleague_and_is_a_404_elsewhere(client, personas):
    late = CaseFactory(coordinator=personas.coord_a)
    contacted = CaseFactory(coordinator=personas.coord_a, family_contacted=True)
    client.force_login(personas.coord_a)
    response = save(client, liste="tasks-queue", nom="À nommer", filtres="type=name_referent&zzz=1", partagee="1")
    view = SavedView.objects.get()
    assert response["Location"] == f"{reverse('workflows:queue')}?vue={view.pk}"
    assert (view.query, view.shared, view.cell) == ("type=name_referent", True, personas.cell_a)  # unknown keys dropped
    shown = rows(client.get(reverse("workflows:queue"), {"vue": view.pk}))
    assert len(shown) == 1 and contacted.reference in shown[0] and late.reference not in shown[0]
    event = Event.objects.get(action="view.save")
    assert "À nommer" not in str(event.details)  # typed text stays out of the trail
    # A colleague of the cellule sees it among the views and opens it; another département's people get a 404.
    other = MembershipFactory(cell=personas.cell_a, coordinator=True).user
    client.force_login(other)
    assert "À nommer" in client.get(reverse("workflows:queue")).content.decode()
    assert client.get(reverse("workflows:queue"), {"vue": view.pk}).status_code == 200
    for outsider in (personas.coord_b, personas.member_b):
        client.force_login(outsider)
        assert "À nommer" not in client.get(reverse("workflows:queue")).content.decode()
        assert client.get(reverse("workflows:queue"), {"vue": view.pk}).status_code == 404
        assert client.post(reverse("workflows:delete_view", args=[view.pk])).status_code == 404
    assert Event.objects.filter(action="access.denied", object_id=str(view.pk)).count() == 4
    # A colleague may open it, not remove it; its author may.
    client.force_login(other)
    assert client.post(reverse("workflows:delete_view", args=[view.pk])).status_code == 403
    client.force_login(personas.coord_a)
    client.post(reverse("workflows:delete_view", args=[view.pk]))
    assert not SavedView.objects.exists() and Event.objects.filter(action="view.delete").count() == 1


def test_a_view_kept_for_oneself_is_a_404_for_a_colleague(client, personas):
    client.force_login(personas.coord_a)
    save(client, liste="cases", nom="Mes reçus", filtres="state=received")
    view = SavedView.objects.get()
    assert client.get(reverse("cases:list"), {"vue": view.pk}).status_code == 200
    client.force_login(personas.member_a)
    assert "Mes reçus" not in client.get(reverse("cases:list")).content.decode()
    assert client.get(reverse("cases:list"), {"vue": view.pk}).status_code == 404
    assert client.get(reverse("cases:list"), {"vue": "abc"}).status_code == 404  # a crafted id: no 500


def test_a_shared_view_never_carries_a_searched_name(client, personas):
    client.force_login(personas.coord_a)
    response = save(client, liste="cases", nom="Durand", filtres="q=durand", partagee="1",
                    suivant=reverse("cases:list"))
    assert response["Location"] == reverse("cases:list")
    assert "ne peut pas chercher un nom" in client.get(response["Location"]).content.decode()
    assert not SavedView.objects.exists()
    save(client, liste="cases", nom="Un dossier", filtres="q=2026-00012", partagee="1")  # a reference is no name
    save(client, liste="cases", nom="Pour moi", filtres="q=durand")  # kept for oneself
    assert SavedView.objects.count() == 2
    for bad in ({"liste": "ailleurs", "nom": "x"}, {"liste": "cases", "nom": ""}, {"liste": "cases", "nom": "x" * 81}):
        assert save(client, **bad).status_code == 302
    assert SavedView.objects.count() == 2


def test_a_coordinator_sets_the_members_default_view(client, personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    client.force_login(personas.member_a)
    # A member may not set a default.
    assert save(client, liste="tasks-mine", nom="x", filtres="", par_defaut="member").status_code == 403
    client.force_login(personas.coord_a)
    save(client, liste="tasks-mine", nom="Revues", filtres="type=review", par_defaut="member")
    view = SavedView.objects.get()
    assert view.shared and view.default_for == "member"
    client.force_login(personas.member_a)
    page = client.get(reverse("workflows:inbox"))
    [row] = rows(page)
    assert case.reference in row and "Vue par défaut appliquée" in page.content.decode()
    assert len(rows(client.get(reverse("workflows:inbox"), {"vue": "aucune"}))) == 2  # without it
    client.force_login(personas.coord_a)  # not the coordinators' default
    assert "Vue par défaut appliquée" not in client.get(reverse("workflows:inbox")).content.decode()
    save(client, liste="tasks-mine", nom="Autre", filtres="", par_defaut="member")  # replaces it
    assert list(SavedView.objects.filter(default_for="member").values_list("name", flat=True)) == ["Autre"]


# --- bulk actions and the named assignment -----------------------------------------------------------

def bulk(client, action, chosen, **data):
    return client.post(reverse("workflows:bulk"), {"action": action, "taches": [t.pk for t in chosen],
                                                   "suivant": reverse("workflows:queue"), **data}, follow=True)


def contact_tasks(personas, count):
    return [CaseFactory(coordinator=personas.coord_a).tasks.get(flow_task_name="contact_family") for _ in range(count)]


def test_bulk_claim_and_release_through_the_pages(client, personas):
    chosen = contact_tasks(personas, 3)
    client.force_login(personas.coord_a)
    response = bulk(client, "prendre", chosen)
    assert "3 tâches prises." in response.content.decode()
    assert len(rows(client.get(reverse("workflows:inbox")))) == 3
    assert Event.objects.filter(action="task.claim").count() == 3  # each through the entry point
    response = bulk(client, "rendre", chosen[:2])
    assert "2 tâches remises dans la file." in response.content.decode()
    assert len(rows(client.get(reverse("workflows:queue")))) == 2


def test_bulk_is_all_or_nothing(client, personas):
    chosen = contact_tasks(personas, 3)
    tasks.claim(personas.coord_a, chosen[1])  # taken meanwhile
    other = MembershipFactory(cell=personas.cell_a, coordinator=True).user
    client.force_login(other)
    response = bulk(client, "prendre", chosen)
    assert "Aucune tâche n&#x27;a été modifiée. Cette tâche a déjà été prise" in response.content.decode()
    assert [t.owner_id for t in CaseTask.objects.filter(pk__in=[t.pk for t in chosen]).order_by("pk")] == [
        None, personas.coord_a.pk, None]
    assert Event.objects.filter(action="task.claim", actor=other).count() == 0


def test_bulk_refuses_tasks_the_person_may_not_take_and_changes_nothing(client, personas):
    chosen = contact_tasks(personas, 2)
    elsewhere = CaseFactory(coordinator=personas.coord_b).tasks.get(flow_task_name="contact_family")
    client.force_login(personas.coord_a)
    assert bulk(client, "prendre", [*chosen, elsewhere]).status_code == 404  # another département's: hidden
    client.force_login(personas.member_a)  # not designated to contact families
    assert bulk(client, "prendre", chosen).status_code == 404
    for task in chosen:
        task.refresh_from_db()
        assert task.status == STATUS.NEW and task.owner_id is None
    assert not Event.objects.filter(action="task.claim").exists()
    # A member releases their own tasks only, not a colleague's.
    designated = MembershipFactory(cell=personas.cell_a, contacts_families=True).user
    tasks.claim(designated, chosen[0])
    tasks.claim(personas.coord_a, chosen[1])
    client.force_login(designated)
    assert bulk(client, "rendre", chosen).status_code == 404
    assert {t.owner_id for t in CaseTask.objects.filter(pk__in=[t.pk for t in chosen])} == {
        designated.pk, personas.coord_a.pk}
    client.force_login(personas.coord_a)
    assert "Cochez au moins une tâche" in bulk(client, "prendre", []).content.decode()
    assert "Cochez au moins une tâche" in bulk(client, "effacer", chosen).content.decode()


def test_a_coordinator_gives_queue_tasks_to_a_named_person_who_may_take_them(client, personas, run_queue, mailoutbox):
    chosen = contact_tasks(personas, 2)
    designated = MembershipFactory(cell=personas.cell_a, contacts_families=True).user
    client.force_login(personas.coord_a)
    response = bulk(client, "confier", chosen, personne=designated.pk)
    assert f"2 tâches confiées à {designated.get_full_name()}" in response.content.decode()
    given = Event.objects.filter(action="task.give")
    assert given.count() == 2 and given.first().details["confiée à"] == designated.username
    client.force_login(designated)
    assert len(rows(client.get(reverse("workflows:inbox")))) == 2  # in their inbox
    run_queue()
    assert [designated.email] in [m.to for m in mailoutbox]
    # Given again from one person to another, the previous holder named in the trail.
    client.force_login(personas.coord_a)
    bulk(client, "confier", chosen[:1], personne=personas.coord_a.pk)
    assert Event.objects.filter(action="task.give").last().details["détenteur"] == designated.username


def test_the_named_assignment_refuses_a_person_of_another_cellule_or_of_the_wrong_role(client, personas):
    chosen = contact_tasks(personas, 2)
    referent_task = CaseFactory(coordinator=personas.coord_a, family_contacted=True).tasks.get(
        flow_task_name="name_referent")
    client.force_login(personas.coord_a)
    for person, task in ((personas.member_b, chosen[0]), (personas.coord_b, chosen[0]),
                         (personas.member_a, chosen[0]),  # not designated to contact families
                         (MembershipFactory(cell=personas.cell_a, contacts_families=True).user, referent_task)):
        response = bulk(client, "confier", [chosen[1], task], personne=person.pk)
        assert "Aucune tâche n&#x27;a été modifiée" in response.content.decode()
        assert "ne peut pas prendre la tâche" in response.content.decode()
    assert "Choisissez la personne" in bulk(client, "confier", chosen, personne="").content.decode()
    assert not CaseTask.objects.filter(pk__in=[*[t.pk for t in chosen], referent_task.pk],
                                              owner__isnull=False).exists()
    assert not Event.objects.filter(action="task.give").exists()
    # Only a coordinator gives: a designated member may take, not give.
    designated = MembershipFactory(cell=personas.cell_a, contacts_families=True).user
    client.force_login(designated)
    assert bulk(client, "confier", chosen[:1], personne=designated.pk).status_code == 403
    assert not Event.objects.filter(action="task.give").exists()


def test_the_lists_with_their_bulk_form_read_the_same_queries_however_many_tasks(client, personas):
    def queries(url):
        client.force_login(personas.coord_a)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    save_data = {"liste": "tasks-queue", "nom": "Vue", "filtres": "", "partagee": "1"}
    client.force_login(personas.coord_a)
    save(client, **save_data)
    contact_tasks(personas, 2)
    few = {url: queries(url) for url in (reverse("workflows:queue"), reverse("cases:list"))}
    contact_tasks(personas, 8)
    save(client, **{**save_data, "nom": "Autre"})
    assert {url: queries(url) for url in few} == few
    page = client.get(reverse("workflows:queue")).content.decode()
    assert page.count('name="taches"') == 10 and "Confier à" in page
    # In one's own list, a référent's task (given by its kind, not taken from a queue) is not ticked.
    CaseFactory(coordinator=personas.coord_a, referent=personas.coord_a, assigned=True)
    tasks.claim(personas.coord_a, CaseTask.objects.filter(flow_task_name="contact_family").first())
    mine = client.get(reverse("workflows:inbox"))
    assert len(rows(mine)) == 2 and mine.content.decode().count('name="taches"') == 1
