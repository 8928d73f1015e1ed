"""The coordinator's dashboard: the cellule's caseload, open tasks by age, overdue and escalated tasks,
received cases without family contact, the mobile team's requests; for its coordinators only, in a
fixed number of queries."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases.models import Case
from organisation.policy import SYSTEM
from tests.cases.factories import CaseFactory
from tests.mobile_team.factories import mobile_request
from tests.organisation.factories import MembershipFactory
from workflows import escalation

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

URL = reverse("reports:dashboard")


def _ago(days: int):
    return time_machine.travel(timezone.now() - datetime.timedelta(days=days))


@pytest.fixture
def cellule(personas):
    """The 93: a case received 40 days ago and never contacted (escalated), two in care with member_a
    (one opened 10 days ago), a request to the mobile team waiting; a forgotten case in the Rhône."""
    with _ago(40):
        CaseFactory(coordinator=personas.coord_a)
        CaseFactory(coordinator=personas.coord_b)
    with _ago(10):
        CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    mobile_request(personas.coord_a, personas.mobile)
    escalation.escalate(SYSTEM)
    return personas


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_figures_are_the_cellules(client, cellule):
    client.force_login(cellule.coord_a)
    response = client.get(URL)
    assert response.status_code == 200
    text = _text(response)
    member, coordinator = cellule.member_a.get_full_name(), cellule.coord_a.get_full_name()
    assert f"{member} 2 2 2 {coordinator} 1 1 1 Sans référent 1 1 1" in text  # cases, young people, families
    assert f'?referent={cellule.member_a.pk}">2</a>' in response.content.decode()
    # Four open tasks (the team's own left out): the contact, three reviews; one per age band but two recent.
    assert "4 au total" in text and "Moins de 7 jours 2 De 7 à 30 jours 1 Plus de 30 jours 1" in text
    assert "Tâches en retard : 1" in text and "retard prolongé) : 1" in text
    assert "sans contact avec la famille dans le délai : 1" in text
    assert "en attente de réponse de l'équipe : 1" in text and "à planifier : 0" in text
    # No case named; the agents' names with their caseloads are a read, recorded.
    (read,) = Event.objects.filter(actor=cellule.coord_a, action__endswith=".view")
    assert (read.action, read.departement, read.details) == ("dashboard.view", "93", {"référents": 2})


def test_a_young_person_with_two_open_cases_and_a_sibling_count_once_in_a_caseload(client, cellule):
    from cases import actions
    from tests.cases.factories import person_data

    first = Case.objects.filter(referent=cellule.member_a).first()
    second = actions.intake(cellule.coord_a, cellule.cell_a, source="ems", received_on=timezone.localdate(),
                            facts="Nouveau signalement.", person=first.person)
    sister = actions.intake(cellule.coord_a, cellule.cell_a, source="ems", received_on=timezone.localdate(),
                            facts="Sa sœur.", person=person_data(first_name="Inès", sex="f"),
                            family=first.person.family)
    for case in (second, sister):
        actions.record_family_contact(cellule.coord_a, case, on=case.received_on, channel="phone", outcome="reached")
        actions.assign(cellule.coord_a, case, referent=cellule.member_a)
    client.force_login(cellule.coord_a)
    # Four cases, three young people, two families (the other case in care is another family's).
    assert f"{cellule.member_a.get_full_name()} 4 3 2 " in _text(client.get(URL))


def test_another_cellules_coordinator_sees_their_own(client, cellule):
    client.force_login(cellule.coord_b)
    text = _text(client.get(URL))
    assert "cellule 69" in text and "Tâches en retard : 1" in text and "4 au total" not in text
    assert cellule.member_a.get_full_name() not in text


@pytest.mark.parametrize("name", ["member_a", "mobile", "inspector", "national", "admin", "former", "outsider"])
def test_only_coordinators_open_it(client, cellule, name):
    client.force_login(getattr(cellule, name))
    assert client.get(URL).status_code == 403


def test_the_coordinators_home_links_it_with_the_escalations(client, cellule):
    client.force_login(cellule.coord_a)
    home = client.get(reverse("home")).content.decode()
    assert URL in home and "1 tâche signalée aux coordonnateurs" in home
    client.force_login(cellule.member_a)
    assert URL not in client.get(reverse("home")).content.decode()


def test_the_queries_do_not_grow_with_the_cases(client, cellule):
    client.force_login(cellule.coord_a)
    client.get(URL)  # the session and the scope warmed
    with CaptureQueriesContext(connection) as before:
        assert client.get(URL).status_code == 200
    for _ in range(3):
        referent = MembershipFactory(cell=cellule.cell_a).user
        CaseFactory(coordinator=cellule.coord_a, referent=referent, in_care=True)
        CaseFactory(coordinator=cellule.coord_a)
        mobile_request(cellule.coord_a, cellule.mobile)
    with CaptureQueriesContext(connection) as after:
        text = _text(client.get(URL))
    assert "13 au total" in text and "Sans référent 4" in text  # 4 + 3 contacts, 3 + 3 reviews
    assert len(after.captured_queries) == len(before.captured_queries)
