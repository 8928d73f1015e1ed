"""A young person across their cases, through HTTP as the cellule works: signalé again after their case
was closed, they are one record with two cases, one page and one timeline, counted once in the month's
report; the page shows each reader the cases they follow, and nobody else sees it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases import actions
from cases.models import Case, Person
from reporting.figures import Month, compute
from tests.cases.factories import CaseFactory, person_data
from tests.cases.test_intake_duplicates import URL, asked, checked, form

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

BORN = datetime.date(2010, 3, 4)


@pytest.fixture
def closed(personas):
    """Éloïse's first case, followed by member_a, closed."""
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True,
                       person=person_data(last_name="N'Diaye-Lefèvre", first_name="Éloïse", birth_date=BORN, sex="f"))
    return actions.close(personas.coord_a, case, reason="completed", note="Fin du suivi, situation apaisée.")


def signalled_again(client, personas, closed) -> Case:
    """The coordinator types the new signalement, is shown Éloïse, and opens a new case on her."""
    client.force_login(personas.coord_a)
    page = asked(client.post(URL, form()))
    assert "Clôturé" not in page or f'value="{closed.pk}"' not in page  # a closed case takes no signalement
    decision = f"person-{closed.person_id}"
    assert f'value="{decision}"' in page and reverse("cases:person", args=[closed.person_id]) in page
    response = client.post(URL, form(decision=decision, checked=checked(page)))
    case = Case.objects.exclude(pk=closed.pk).get()
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.pk])
    return case


def test_a_young_person_signalled_again_after_closure_is_one_person(client, personas, closed):
    again = signalled_again(client, personas, closed)
    assert again.person_id == closed.person_id and Person.objects.count() == 1
    intake = Event.objects.get(action="case.intake", object_id=str(again.pk))
    assert intake.details["jeune_déjà_suivi"] == closed.person_id

    page = client.get(reverse("cases:detail", args=[again.pk])).content.decode()
    assert "Son suivi sur 2 signalements" in page and reverse("cases:person", args=[closed.person_id]) in page

    actions.record_consent(personas.coord_a, again, party="family", status="refused", on=timezone.localdate())
    response = client.get(reverse("cases:person", args=[closed.person_id]))
    page = response.content.decode()
    assert response.status_code == 200 and "Éloïse" in page and "Famille : refusée" in page  # the current state
    assert closed.reference in page and again.reference in page and "Fin du suivi" not in page  # no free text
    timeline = page.split("Chronologie de ses signalements")[1]
    assert f"{closed.reference} —" in timeline and f"{again.reference} —" in timeline and "Clôture" in timeline
    read = Event.objects.filter(action="person.view").get()
    assert read.object_id == str(closed.person_id)
    assert read.details["signalements"] == [again.reference, closed.reference]


def test_the_month_counts_the_young_person_once(client, personas, closed):
    signalled_again(client, personas, closed)
    figures = compute(personas.cell_a, Month(timezone.localdate().replace(day=1)))
    assert figures["young_people_followed"] == 1  # two cases open this month, one young person
    assert sum(figures["new_cases_by_source"].values()) == 2  # the signalements themselves are two


def test_the_page_shows_each_reader_the_cases_they_follow(client, personas, closed):
    again = signalled_again(client, personas, closed)  # no référent yet: member_a does not follow it
    member = Client()
    member.force_login(personas.member_a)
    page = member.get(reverse("cases:person", args=[closed.person_id])).content.decode()
    assert closed.reference in page and again.reference not in page
    assert "1 autre signalement de ce jeune, que vous ne suivez pas" in page
    assert Event.objects.filter(action="person.view").last().details["signalements"] == [closed.reference]


@pytest.mark.parametrize("name", ["coord_b", "member_b", "national", "admin", "mobile"])
def test_nobody_else_reads_the_page_and_the_refusal_is_recorded(client, personas, closed, name):
    client.force_login(getattr(personas, name))
    assert client.get(reverse("cases:person", args=[closed.person_id])).status_code == 404
    assert client.get(reverse("cases:person", args=[closed.person_id + 1000])).status_code == 404
    denied = Event.objects.filter(action="access.denied", object_type="cases.person").get()
    assert denied.object_id == str(closed.person_id)
    assert not Event.objects.filter(action="person.view").exists()


@pytest.mark.parametrize("decision", ["person-abc", "person-", "person-999999", "person-1-2"])
def test_a_forged_person_opens_nothing(client, personas, closed, decision):
    client.force_login(personas.coord_a)
    page = asked(client.post(URL, form()))
    assert client.post(URL, form(decision=decision, checked=checked(page))).status_code == 404
    assert Case.objects.count() == 1


def test_a_young_person_of_another_departement_cannot_be_chosen(client, personas, closed):
    """coord_b types the same names: Éloïse is not proposed, and forcing her id opens nothing."""
    client.force_login(personas.coord_b)
    response = client.post(reverse("cases:intake"), form(decision=f"person-{closed.person_id}", checked="x"))
    assert f"person-{closed.person_id}" not in response.content.decode()
    assert Case.objects.count() == 1 and Person.objects.count() == 1
    with pytest.raises(ValidationError, match="pas suivi par votre cellule"):
        actions.intake(personas.coord_b, personas.cell_b, source="cnapr", received_on=timezone.localdate(),
                       facts="Signalement.", person=closed.person)


def test_the_page_costs_the_same_queries_for_one_case_or_three_and_siblings(client, personas, closed):
    client.force_login(personas.coord_a)
    url = reverse("cases:person", args=[closed.person_id])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for first_name in ("Inès", "Adam"):
        case = actions.intake(personas.coord_a, personas.cell_a, source="ems", received_on=timezone.localdate(),
                              facts="Nouveau signalement.", person=closed.person)
        actions.close(personas.coord_a, case, reason="unfounded", note="Sans suite.")
        actions.intake(personas.coord_a, personas.cell_a, source="ems", received_on=timezone.localdate(),
                       facts="Son frère ou sa sœur.", family=closed.person.family,
                       person=person_data(last_name="N'Diaye-Lefèvre", first_name=first_name))
    with CaptureQueriesContext(connection) as more:
        page = client.get(url).content.decode()
    assert page.count("Clôturé le") == 3 and "Inès" in page and "Adam" in page
    assert len(more) == len(one), [q["sql"] for q in more.captured_queries]
