"""The members' view of their cellule: the calendar, the agendas and the minutes, read only, naming a
case only where the reader may open it; the référent radicalisation and the parquet on the cellule's page."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cellule import actions as cellule
from cellule.models import Meeting
from organisation.models import Institution
from tests.cases.factories import CaseFactory
from tests.cellule.factories import decision, everyone
from tests.organisation.factories import InstitutionFactory, MembershipFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


@pytest.fixture
def meeting(personas):
    """A closed meeting of the 93 reviewing two cases: member_a is the référent of the first only."""
    seen = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    hidden = CaseFactory(coordinator=personas.coord_a, referent=personas.coord_a, in_care=True)
    held_at = timezone.now() - datetime.timedelta(hours=2)
    with time_machine.travel(held_at - datetime.timedelta(days=1)):
        meeting = cellule.schedule_meeting(personas.coord_a, personas.cell_a, held_at=held_at, cases=[seen, hidden])
    items = {item.case_id: item for item in meeting.items.all()}
    cellule.record_meeting(personas.coord_a, meeting, minutes="Deux situations revues.", attendance=everyone(meeting),
                           decisions={items[seen.pk].pk: decision("Poursuite."),
                                      items[hidden.pk].pk: decision("Orientation PJJ.")})
    cellule.close_meeting(personas.coord_a, meeting, minutes="Deux situations revues.")
    meeting.seen, meeting.hidden = seen, hidden
    return meeting


def test_a_member_reads_the_calendar_the_agenda_and_the_minutes_naming_only_the_cases_they_may_see(
        client, personas, meeting):
    client.force_login(personas.member_a)
    listing = client.get(reverse("meetings:list"))
    assert listing.status_code == 200 and reverse("meetings:detail", args=[meeting.pk]) in listing.content.decode()
    assert "Programmer une réunion" not in listing.content.decode()
    for page in (client.get(reverse("meetings:detail", args=[meeting.pk])), client.get(reverse("meetings:minutes"))):
        text = page.content.decode()
        assert page.status_code == 200 and "Deux situations revues." in text
        assert meeting.seen.reference in text and "Poursuite." in text
        assert meeting.hidden.reference not in text and "Orientation PJJ." not in text
        assert "Signalement non consultable" in text and "<form" not in text.split("<main")[-1]
    read = Event.objects.filter(action="meeting.view", actor=personas.member_a).first()
    assert read.details["signalements"] == [meeting.seen.reference] and read.details["non consultables"] == 1


def test_a_member_cannot_post_and_another_cellules_member_gets_404(client, personas, meeting):
    client.force_login(personas.member_a)
    held_at = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(reverse("meetings:list"), {"held_at": held_at}).status_code == 403
    assert client.post(reverse("meetings:detail", args=[meeting.pk]), {"minutes": "x", "save": ""}).status_code == 403
    assert Meeting.objects.count() == 1 and Meeting.objects.get().minutes == "Deux situations revues."
    client.force_login(personas.member_b)
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404
    own = client.get(reverse("meetings:list")).content.decode()  # the Rhône's calendar, empty
    assert "Aucune réunion." in own and "cellule 69" in own
    assert meeting.seen.reference not in client.get(reverse("meetings:minutes")).content.decode()


def test_the_coordinator_still_sees_every_case_of_the_agenda(client, personas, meeting):
    client.force_login(personas.coord_a)
    text = client.get(reverse("meetings:minutes")).content.decode()
    assert meeting.seen.reference in text and meeting.hidden.reference in text and "non consultable" not in text


def test_the_cellules_page_shows_the_referent_radicalisation_and_the_parquet(client, personas):
    parquet = InstitutionFactory(name="Parquet de Bobigny", category=Institution.Category.JUSTICE,
                                 departement=personas.cell_a.departement)
    MembershipFactory(cell=personas.cell_a, institution=parquet, user__last_name="Procureur")
    client.force_login(personas.coord_a)
    response = client.post(reverse("cell_detail", args=["93"]), {
        "add": "", "email": personas.outsider.email, "institution": parquet.pk, "function": "Substitut",
        "role": "member", "radicalisation_referent": "on", "starts_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    assert personas.outsider.memberships.get().radicalisation_referent
    for person in (personas.coord_a, personas.member_a):
        client.force_login(person)
        for url in (reverse("cell_detail", args=["93"]), reverse("home")):
            text = client.get(url).content.decode()
            assert text.count("Référent radicalisation</span>") == 1
            assert text.count("Représente le parquet</span>") == 2


def test_the_referent_radicalisation_sits_in_a_cellule(personas):
    from django.core.exceptions import ValidationError

    membership = personas.national.memberships.get()
    membership.radicalisation_referent = True
    with pytest.raises(ValidationError, match="siège dans une cellule"):
        membership.full_clean()


def test_the_coordinator_designates_an_existing_member_and_the_trail_says_so(client, personas):
    from audit.models import Event

    membership = personas.member_a.memberships.get()
    client.force_login(personas.coord_a)
    url = reverse("cell_detail", args=["93"])
    response = client.post(url, {"designate": "", "membership": membership.pk, "radicalisation_referent": "on",
                                 "contacts_families": "on"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.radicalisation_referent and membership.contacts_families
    event = Event.objects.filter(action="membership.update").latest("id")
    assert event.details["changements"]["radicalisation_referent"] == {"avant": False, "après": True}
    assert client.get(url).content.decode().count("Référent radicalisation</span>") == 1
    client.post(url, {"designate": "", "membership": membership.pk})  # both unticked: designations withdrawn
    membership.refresh_from_db()
    assert not membership.radicalisation_referent and not membership.contacts_families


@pytest.mark.parametrize("who, target, status", [
    ("coord_a", "coord_a", 400),  # not one's own membership
    ("coord_a", "member_b", 400),  # nor another cellule's
    ("member_a", "member_a", 403),  # a member designates no one
    ("coord_b", "member_a", 404),  # nor does another cellule's coordinator see this page
])
def test_a_designation_outside_ones_reach_changes_nothing(client, personas, who, target, status):
    membership = getattr(personas, target).memberships.get()
    client.force_login(getattr(personas, who))
    response = client.post(reverse("cell_detail", args=["93"]), {"designate": "", "membership": membership.pk,
                                                                  "radicalisation_referent": "on"})
    assert response.status_code == status
    membership.refresh_from_db()
    assert not membership.radicalisation_referent
