"""The cellule's meetings: an agenda of open cases, attendance and decisions, minutes frozen at closing."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cellule import actions as cellule
from cellule.models import Attendance, Meeting
from organisation.errors import ActionRefused
from organisation.models import Departement
from organisation.policy import AccessDenied
from tests.cases.factories import CaseFactory
from tests.organisation.factories import InstitutionFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


@pytest.fixture
def case(personas):
    return CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)


def test_a_meeting_is_scheduled_recorded_and_closed_through_its_pages(client, personas, case):
    client.force_login(personas.coord_a)
    held_at = timezone.localtime() + datetime.timedelta(days=3)
    response = client.post(reverse("meetings:list"), {"held_at": held_at.strftime("%Y-%m-%dT%H:%M"),
                                                      "cases": [case.pk]})
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    # The referent's review is now due by the meeting that will discuss the case.
    assert case.tasks.open().get(flow_task_name="review").due_on == timezone.localdate(held_at)
    member, coordinator = personas.member_a.memberships.get(), personas.coord_a.memberships.get()
    item = meeting.items.get()
    closing = {f"decision-{item.pk}": "Poursuite de la prise en charge.", f"presence-{member.pk}": "excused",
               "minutes": "Une situation revue.", "close": "", "confirm_close": "on"}
    with time_machine.travel(held_at + datetime.timedelta(hours=2)):
        client.force_login(personas.coord_a)
        # Every member's presence is recorded before the meeting closes.
        refused = client.post(reverse("meetings:detail", args=[meeting.pk]), closing, follow=True).content.decode()
        assert "Indiquez la présence de chaque membre" in refused and personas.coord_a.get_full_name() in refused
        assert Meeting.objects.get().status == "planned"
    closing[f"presence-{coordinator.pk}"] = "present"
    early = client.post(reverse("meetings:detail", args=[meeting.pk]), closing, follow=True)
    assert "n&#x27;a pas encore eu lieu" in early.content.decode()
    assert Meeting.objects.get().status != "closed"
    with time_machine.travel(held_at + datetime.timedelta(hours=2)):
        client.force_login(personas.coord_a)  # days later: a new session
        client.post(reverse("meetings:detail", args=[meeting.pk]), closing)
    meeting.refresh_from_db()
    item.refresh_from_db()
    assert (meeting.status, meeting.minutes, item.decision) == ("closed", "Une situation revue.",
                                                                 "Poursuite de la prise en charge.")
    assert Attendance.objects.get(membership=member).presence == "excused"
    minutes = client.get(reverse("meetings:minutes")).content.decode()
    assert "Poursuite de la prise en charge." in minutes and "absence excusée" in minutes
    assert f"{personas.coord_a.get_full_name()} ({coordinator.institution}) — présence" in minutes


def test_a_closed_meeting_is_frozen(personas, case):
    meeting = cellule.schedule_meeting(personas.coord_a, personas.cell_a, held_at=timezone.now(), cases=[case])
    cellule.record_meeting(personas.coord_a, meeting, minutes="", decisions={}, attendance={
        member.pk: "present" for member in personas.cell_a.memberships.active()})
    cellule.close_meeting(personas.coord_a, meeting, minutes="Fin.")
    with pytest.raises(ActionRefused, match="figé"):
        cellule.record_meeting(personas.coord_a, meeting, minutes="Autre chose", decisions={}, attendance={})
    with pytest.raises(ActionRefused):
        cellule.close_meeting(personas.coord_a, meeting, minutes="Autre chose")
    meeting.refresh_from_db()
    assert meeting.minutes == "Fin."
    assert meeting.get_status_display() == "Clôturée"  # French, even upper-cased in a badge ("CLOSE" read English)


def test_the_agenda_holds_the_cellules_cases_only(personas, case):
    other = CaseFactory(coordinator=personas.coord_b)
    with pytest.raises(Exception, match="signalements de la cellule"):
        cellule.schedule_meeting(personas.coord_a, personas.cell_a, held_at=timezone.now(), cases=[other])
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("name", ["member_a", "coord_b", "inspector", "national"])
def test_only_the_cellules_coordinators_manage_its_meetings(client, personas, case, name):
    meeting = cellule.schedule_meeting(personas.coord_a, personas.cell_a, held_at=timezone.now(), cases=[case])
    with pytest.raises(AccessDenied):
        cellule.record_meeting(getattr(personas, name), meeting, minutes="x", decisions={}, attendance={})
    client.force_login(getattr(personas, name))
    url = reverse("meetings:detail", args=[meeting.pk])
    # The cellule's members read its meetings (tests/cellule/test_members_view.py), never change them.
    assert client.get(url).status_code == {"member_a": 200, "coord_b": 404}.get(name, 403)
    # Another département's meeting is hidden (404); the cellule's member, the inspector (who posts
    # nothing) and the national level are refused (403).
    assert client.post(url, {"minutes": "x", "save": ""}).status_code == (404 if name == "coord_b" else 403)
    assert Meeting.objects.get().minutes == ""


def test_bad_input_changes_nothing(client, personas, case):
    client.force_login(personas.coord_a)
    response = client.post(reverse("meetings:list"), {"held_at": "demain", "cases": ["abc"]})
    assert response.status_code == 400 and "Saisissez une date et une heure valides." in response.content.decode()
    meeting = cellule.schedule_meeting(personas.coord_a, personas.cell_a, held_at=timezone.now(), cases=[case])
    page = client.post(reverse("meetings:detail", args=[meeting.pk]), {
        "minutes": "x" * 10001, f"presence-{personas.member_a.memberships.get().pk}": "peut-etre"})
    assert page.status_code == 400 and "au plus 10000 caractères" in page.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes == "" and not Attendance.objects.exists()


def test_support_groups_and_their_sessions_through_the_page(client, personas, case):
    from cellule.models import SupportGroup
    from tests.organisation.factories import InstitutionFactory

    association = InstitutionFactory(name="Association Sauvegarde", category="association", partner=True)
    client.force_login(personas.coord_a)
    client.post(reverse("support_groups:list"), {"create_group": "", "name": "Parents en lien",
                                                 "run_by": "association", "institution": association.pk})
    group = SupportGroup.objects.get()
    url = reverse("support_groups:detail", args=[group.pk])
    bad = client.post(url, {"add_session": "", "on": "2026-02-30", "other_parents": 0, "families": [case.pk]})
    assert bad.status_code == 400 and not group.sessions.exists()
    client.post(url, {"add_session": "", "on": timezone.localdate().isoformat(), "other_parents": 0,
                      "families": [case.pk]})
    assert list(group.sessions.get().families.all()) == [case]
    assert case.reference in client.get(url).content.decode()
    # The read names the cases whose families the page showed.
    read = Event.objects.filter(action="support_group.view").latest("id")
    assert read.details["signalements"] == [case.reference] and read.actor == personas.coord_a
    client.force_login(personas.member_a)  # a member who facilitates no group
    assert client.get(reverse("support_groups:list")).status_code == 403
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("days", [-400, 400])
def test_a_meeting_is_scheduled_neither_years_before_nor_years_ahead(personas, days):
    with pytest.raises(ValidationError, match="au plus un an"):
        cellule.schedule_meeting(personas.coord_a, personas.cell_a,
                                 held_at=timezone.now() + datetime.timedelta(days=days))
    assert not Meeting.objects.exists()


def test_a_meeting_years_ahead_is_refused_on_its_page_with_the_reason(client, personas):
    """The page's form takes any date: the entry point's refusal of one a year away is shown on its field."""
    client.force_login(personas.coord_a)
    held_at = timezone.localtime() + datetime.timedelta(days=400)
    response = client.post(reverse("meetings:list"), {"held_at": held_at.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 400
    assert "au plus un an à l&#x27;avance" in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_support_group_is_run_by_an_association_of_the_departement(client, personas):
    lyon = InstitutionFactory(name="Association lyonnaise", category="association",
                              departement=Departement.objects.get(code="69"))
    with pytest.raises(ValidationError, match="autre département"):
        cellule.create_support_group(personas.coord_a, personas.cell_a, name="Parents", institution=lyon)
    client.force_login(personas.coord_a)
    assert "Association lyonnaise" not in client.get(reverse("support_groups:list")).content.decode()


def test_a_meetings_day_is_the_day_where_it_is_held_not_utcs(db):
    """A meeting at 0:30 in Paris is 23:30 the eve in UTC: its day, and its name, are Paris's."""
    meeting = Meeting(held_at=datetime.datetime(2026, 3, 4, 23, 30, tzinfo=datetime.UTC))
    assert meeting.day == datetime.date(2026, 3, 5) and str(meeting) == "Réunion du 05/03/2026"
