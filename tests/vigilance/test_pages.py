"""The alerts' pages: shown to the coordinators of the account's cellule and to the inspection under a
mandate, a 404 to anyone else (recorded); each alert opens its events, that read recorded; the
coordinator marks it examined with a comment; its list's queries do not grow with its rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import Event
from tests.organisation.factories import MandateFactory, MembershipFactory
from tests.vigilance.history import DAY, detect, read
from vigilance.models import ReadingAlert

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(personas):
    read(personas.member_a, DAY, 12)
    detect()
    return ReadingAlert.objects.get()


def test_the_coordinator_sees_the_alert_its_events_and_a_counter_at_home(client, personas, alert):
    client.force_login(personas.coord_a)
    home = client.get(reverse("home")).content.decode()
    assert "Alertes de lecture à examiner" in home and reverse("vigilance:list") in home
    listed = client.get(reverse("vigilance:list")).content.decode()
    assert "Prénom-Member-a Nom-Member-a" in listed and "À examiner" in listed
    assert Event.objects.filter(action="reading_alert.list", actor=personas.coord_a, departement="93").exists()
    page = client.get(reverse("vigilance:detail", args=[alert.pk])).content.decode()
    assert page.count("Consultation du signalement") == 12 and "93-2026-0011" in page
    read_ = Event.objects.get(action="reading_alert.view", actor=personas.coord_a)
    assert (read_.object_id, read_.details["événements"]) == (str(alert.pk), 12)


def test_the_inspector_sees_it_read_only(client, personas, alert):
    client.force_login(personas.inspector)
    assert "Prénom-Member-a" in client.get(reverse("vigilance:list")).content.decode()
    page = client.get(reverse("vigilance:detail", args=[alert.pk]))
    assert page.status_code == 200 and 'id="examine"' not in page.content.decode()
    assert client.post(reverse("vigilance:detail", args=[alert.pk]), {"comment": "Vu."}).status_code == 403
    alert.refresh_from_db()
    assert alert.examined_at is None


def test_another_cellules_coordinator_sees_their_list_without_it(client, personas, alert):
    client.force_login(personas.coord_b)
    assert "Aucune alerte." in client.get(reverse("vigilance:list")).content.decode()
    assert client.get(reverse("vigilance:detail", args=[alert.pk])).status_code == 404
    assert Event.objects.filter(action="access.denied", actor=personas.coord_b, departement="93").count() == 1


@pytest.mark.parametrize("who", ["member_a", "member_b", "admin", "national", "mobile", "outsider"])
def test_anyone_else_gets_a_404_recorded(client, personas, alert, who):
    client.force_login(getattr(personas, who))
    assert client.get(reverse("vigilance:list")).status_code == 404
    assert client.get(reverse("vigilance:detail", args=[alert.pk])).status_code == 404
    assert Event.objects.filter(action="access.denied", actor=getattr(personas, who)).count() == 2
    assert not Event.objects.filter(action__in=["reading_alert.list", "reading_alert.view"]).exists()


def test_an_inspector_of_another_departement_does_not_see_it(client, personas, alert):
    other = MembershipFactory(inspector=True).user
    MandateFactory(inspector=other, departements=["69"])
    client.force_login(other)
    assert "Aucune alerte." in client.get(reverse("vigilance:list")).content.decode()
    assert client.get(reverse("vigilance:detail", args=[alert.pk])).status_code == 404


def test_the_coordinator_marks_it_examined_once_with_a_comment(client, personas, alert):
    client.force_login(personas.coord_a)
    url = reverse("vigilance:detail", args=[alert.pk])
    empty = client.post(url, {"comment": "   "})
    assert empty.status_code == 400 and "Indiquez ce que l&#x27;examen a montré." in empty.content.decode()
    alert.refresh_from_db()
    assert alert.examined_at is None and not Event.objects.filter(action="reading_alert.examine").exists()
    assert client.post(url, {"comment": "x" * 2001}).status_code == 400
    comment = "Remplacement de Mme Leroy pendant son congé : lectures justifiées."
    done = client.post(url, {"comment": comment})
    assert done.status_code == 302
    alert.refresh_from_db()
    assert (alert.examined_by, alert.comment) == (personas.coord_a, comment)
    examined = Event.objects.get(action="reading_alert.examine")
    assert (examined.actor, examined.departement, examined.object_id) == (personas.coord_a, "93", str(alert.pk))
    again = client.post(url, {"comment": "Autre chose."}, follow=True)
    assert "Cette alerte a déjà été examinée." in again.content.decode()
    alert.refresh_from_db()
    assert alert.comment == comment and Event.objects.filter(action="reading_alert.examine").count() == 1
    assert "Examinée le" in client.get(url).content.decode()


def test_another_cellules_coordinator_cannot_examine_it(client, personas, alert):
    client.force_login(personas.coord_b)
    assert client.post(reverse("vigilance:detail", args=[alert.pk]), {"comment": "Vu."}).status_code == 404
    alert.refresh_from_db()
    assert alert.examined_at is None


def test_the_lists_queries_do_not_grow_with_its_alerts(client, personas):
    read(personas.member_a, DAY, 12)
    detect()
    client.force_login(personas.coord_a)
    client.get(reverse("vigilance:list"))  # the session and the scope's caches warmed
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("vigilance:list"))
    for n in range(3):
        other = MembershipFactory(cell=personas.cell_a).user
        read(other, DAY, 12, first=100 * (n + 1))
    detect()
    assert ReadingAlert.objects.count() == 4
    with CaptureQueriesContext(connection) as four:
        page = client.get(reverse("vigilance:list")).content.decode()
    assert page.count("À examiner") == 4
    assert len(four.captured_queries) == len(one.captured_queries)
