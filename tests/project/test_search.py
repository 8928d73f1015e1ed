"""The search across people, cases and meetings (scoped by the policy, every search recorded, no name in
the trail) and the home page's « À traiter » counters, each opening the list it counts."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cellule import actions as cellule
from tests.cases.factories import CaseFactory, person_data
from ui import counts
from workflows import tasks

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


def found(client, text):
    """The results, below the box (which gives the text back)."""
    return client.get(reverse("search"), {"q": text}).content.decode().split('role="status"', 1)[1].split("</main>")[0]


def test_the_search_finds_only_what_the_reader_may_open_and_records_every_search(client, personas):
    mine = CaseFactory(coordinator=personas.coord_a, person=person_data(last_name="Ndiaye", first_name="Éloïse"))
    theirs = CaseFactory(coordinator=personas.coord_b, person=person_data(last_name="Ndiaye", first_name="Awa"))
    client.force_login(personas.coord_a)
    page = found(client, "ndiaye")
    assert mine.reference in page and "Éloïse NDIAYE" in page
    assert theirs.reference not in page and "Awa" not in page
    assert reverse("cases:person", args=[mine.person.pk]) in page
    [event] = Event.objects.filter(action="search.run")
    assert event.departement == "93" and event.details["signalements"] == [mine.reference]
    assert "ndiaye" not in str(event.details).lower()  # the name typed stays out of the trail
    # Another département's coordinator: 0 results, and the search is recorded all the same.
    client.force_login(personas.coord_b)
    assert mine.reference not in found(client, mine.reference) and "Éloïse" not in found(client, "eloise")
    assert "1 jeune, 1 signalement" in " ".join(found(client, theirs.reference).split())
    theirs_events = Event.objects.filter(action="search.run", actor=personas.coord_b)
    assert theirs_events.count() == 3 and theirs_events.last().details["requête"] == theirs.reference


def test_a_member_finds_no_case_they_do_not_work_on(client, personas):
    case = CaseFactory(coordinator=personas.coord_a)
    client.force_login(personas.member_a)
    page = found(client, case.reference)
    assert case.reference not in page and "0 jeune, 0 signalement, 0 réunion" in " ".join(page.split())
    assert "Durand" not in found(client, "durand")
    assert Event.objects.filter(action="search.run", actor=personas.member_a).count() == 2
    referent_case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    assert referent_case.reference in found(client, "durand")


def test_the_search_finds_the_cellules_meetings_only(client, personas):
    held_at = timezone.now() + datetime.timedelta(days=7)
    meeting = cellule.schedule_meeting(personas.coord_a, personas.cell_a, held_at=held_at)
    other = cellule.schedule_meeting(personas.coord_b, personas.cell_b, held_at=held_at)
    day = timezone.localtime(held_at).strftime("%d/%m/%Y")
    client.force_login(personas.member_a)
    page = found(client, day)
    assert reverse("meetings:detail", args=[meeting.pk]) in page
    assert reverse("meetings:detail", args=[other.pk]) not in page
    assert reverse("meetings:detail", args=[meeting.pk]) in found(client, day[3:])  # the month
    assert "0 réunion" in found(client, "31/02/2026")  # no such day: no error
    assert Event.objects.filter(action="search.run", details__réunions=[meeting.pk]).count() == 2


def test_the_roles_without_cases_are_refused_the_search(client, personas):
    for who in (personas.national, personas.admin, personas.mobile):
        client.force_login(who)
        assert client.get(reverse("search"), {"q": "durand"}).status_code == 403
    assert not Event.objects.filter(action="search.run").exists()


def test_the_search_reads_the_same_queries_however_many_cases_it_finds(client, personas):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("search"), {"q": "durand"})
        return len(captured)

    client.force_login(personas.coord_a)
    CaseFactory(coordinator=personas.coord_a)
    queries()  # the scope kept with the session from now on (organisation.session_scope)
    few = queries()
    for _ in range(4):
        CaseFactory(coordinator=personas.coord_a, person=person_data(first_name="Jules"))
    assert queries() == few


# --- the home page's counters ------------------------------------------------------------------------

def counters(client) -> dict[str, tuple[int, str]]:
    html = client.get(reverse("home")).content.decode().split('id="todo"', 1)[1].split("</ul>", 1)[0]
    result = {}
    for tile in html.split('<a href="')[1:]:
        url, rest = tile.split('">', 1)
        number, label = rest.split("</span>", 1)
        result[label.split("</a>")[0].strip().replace("&#x27;", "'")] = (int(number.rsplit(">", 1)[1]), url)
    return result


def test_the_home_counters_open_the_lists_they_count(client, personas):
    contact = CaseFactory(coordinator=personas.coord_a).tasks.get(flow_task_name="contact_family")
    CaseFactory(coordinator=personas.coord_a, family_contacted=True)
    tasks.claim(personas.coord_a, contact)
    client.force_login(personas.coord_a)
    todo = counters(client)
    assert todo["Mes tâches"] == (1, reverse("workflows:inbox"))
    assert todo["Mes tâches en retard"] == (0, reverse("workflows:inbox") + "?echeance=retard")
    assert todo["Dans la file de l'équipe"] == (1, reverse("workflows:queue"))
    assert todo["Familles à contacter"] == (1, reverse("cases:list") + "?state=received")
    assert todo["Référents à nommer"] == (1, reverse("cases:list") + "?state=family_contacted")
    assert todo["Tâches signalées pour retard"] == (0, reverse("workflows:cellule") + "?signalees=1")
    # Each counter's list shows as many rows as it counts.
    assert client.get(todo["Mes tâches"][1]).content.decode().count('name="taches"') == 1
    client.force_login(personas.member_a)
    assert set(counters(client)) == {"Mes tâches", "Mes tâches en retard", "Dans la file de l'équipe"}
    assert counters(client)["Dans la file de l'équipe"][0] == 0  # not designated to contact families


def test_the_home_counters_follow_a_change_of_the_membership(client, personas):
    """The counters' statement is kept per person, scope and day (``ui.statements``): a membership changed in
    a way that opens other tasks (a member designated to contact families) is counted anew at the next page."""
    CaseFactory(coordinator=personas.coord_a)  # its family-contact task, free in the cellule's queue
    client.force_login(personas.member_a)
    assert counters(client)["Dans la file de l'équipe"][0] == 0
    membership = personas.member_a.memberships.get()
    membership.contacts_families = True
    membership.save()  # its history written: the scope kept with the session is computed again
    assert counters(client)["Dans la file de l'équipe"][0] == 1


def test_the_home_page_reads_the_same_queries_however_much_work(client, personas):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("home"))
        return len(captured)

    client.force_login(personas.coord_a)
    CaseFactory(coordinator=personas.coord_a)
    queries()  # the scope kept with the session from now on (organisation.session_scope)
    few = queries()
    for _ in range(3):
        tasks.claim(personas.coord_a, CaseFactory(coordinator=personas.coord_a).tasks.get(
            flow_task_name="contact_family"))
    assert queries() == few


def test_the_home_counters_stop_at_their_cap(client, personas, monkeypatch):
    """A counter reads its first rows only (``ui.counts``): past the cap the home says « 2+ » here (« 99+ » in
    production), and its sentences « plus de 2 »."""
    monkeypatch.setattr(counts, "CAP", 2)
    for _ in range(3):
        CaseFactory(coordinator=personas.coord_a)
    client.force_login(personas.coord_a)
    html = client.get(reverse("home")).content.decode()
    assert '<span class="fr-h3 fr-mb-0 fr-mr-1w">2+</span>Familles à contacter' in html
    assert "plus de 2 signalements en cours." in html
    assert "plus de 2 tâches dans la file de l&#x27;équipe" in html
