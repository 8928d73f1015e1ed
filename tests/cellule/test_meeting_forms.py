"""The meeting pages read every value through a form: odd input, a NUL byte above all (which
PostgreSQL refuses in a text), gets a French message and changes nothing, never a server error;
closing a meeting asks for a confirmation the server checks."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cellule import actions as cellule
from cellule.models import Attendance, Meeting
from tests.cases.factories import CaseFactory

ODD = ["\x00", "avant\x00après", "x" * 20000, "9" * 40, "-1", "<script>alert(1)</script>", "' OR 1=1 --",
       "\u202eeluda", "2026-02-30T25:61"]


@pytest.fixture
def meeting(personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    return cellule.schedule_meeting(personas.coord_a, personas.cell_a,
                                    held_at=timezone.now() - datetime.timedelta(hours=1), cases=[case])


def snapshot(meeting: Meeting) -> tuple:
    meeting.refresh_from_db()
    return (meeting.status, meeting.minutes, [item.decision for item in meeting.items.all()],
            list(Attendance.objects.values_list("membership_id", "presence")), Meeting.objects.count(),
            Event.objects.filter(action__in=["meeting.schedule", "meeting.record", "meeting.close"]).count())


def valid_post(personas, meeting: Meeting) -> dict:
    """A decision on the one item (its referent follows it up) and every member's presence."""
    item = meeting.items.get()
    presences = {f"presence-{member.pk}": "present" for member in personas.cell_a.memberships.active()}
    return {f"outcome-{item.pk}": "continue", f"owner-{item.pk}": personas.member_a.pk,
            f"due_on-{item.pk}": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
            f"decision-{item.pk}": "Poursuite.", **presences, "minutes": "Revue.", "save": ""}


def test_odd_input_in_every_field_of_the_meeting_page_changes_nothing(personas, meeting):
    client = Client(raise_request_exception=False)
    client.force_login(personas.coord_a)
    url, before = reverse("meetings:detail", args=[meeting.pk]), snapshot(meeting)
    base = valid_post(personas, meeting)
    for name in base:
        # Any value but the two choices is odd for a presence; a text takes anything but NUL and excess.
        choice = name.startswith(("presence", "outcome", "owner", "due_on"))
        odd = ODD if choice else [v for v in ODD if "\x00" in v or len(v) > 10000]
        for value in odd if name != "save" else []:
            response = client.post(url, {**base, name: value, "close": "", "confirm_close": "on"})
            assert response.status_code == 400, (name, value)
            page = response.content.decode()
            assert "Le caractère nul n’est pas autorisé" in page or "au plus" in page \
                or "Sélectionnez un choix valide" in page or "Saisissez une date valide" in page, (name, value)
            assert snapshot(meeting) == before, (name, value)
    # The buttons and the confirmation are read for their presence only: any value of them is harmless.
    response = client.post(url, {**base, "save": "\x00", "confirm_close": "\x00"})
    assert response.status_code == 302
    assert snapshot(meeting)[1:3] == ("Revue.", ["Poursuite."])


def test_odd_input_when_scheduling_changes_nothing(personas, meeting):
    client = Client(raise_request_exception=False)
    client.force_login(personas.coord_a)
    url, before = reverse("meetings:list"), snapshot(meeting)
    held_at = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    for value in ODD:
        for data in ({"held_at": value}, {"held_at": held_at, "cases": [value]},
                     {"held_at": held_at, "cases": [meeting.items.get().case.pk, value]}):
            response = client.post(url, data)
            assert response.status_code == 400, (data, value)
            page = response.content.decode()
            assert any(message in page for message in (
                "Saisissez une date et une heure valides", "n’est pas une valeur correcte",
                "Sélectionnez un choix valide", "Le caractère nul n’est pas autorisé")), (data, value)
            assert snapshot(meeting) == before, (data, value)


def test_closing_a_meeting_asks_for_a_confirmation_checked_by_the_server(client, personas, meeting):
    client.force_login(personas.coord_a)
    url = reverse("meetings:detail", args=[meeting.pk])
    page = client.get(url).content.decode()
    # Nobody's presence recorded, the confirmation not ticked (only the agenda's cases are).
    assert 'name="confirm_close"' in page and not re.search(r'name="(confirm_close|presence-\d+)"[^>]*checked', page)
    unconfirmed = client.post(url, {**valid_post(personas, meeting), "close": ""})
    assert unconfirmed.status_code == 400 and "Cochez la case pour confirmer la clôture" in unconfirmed.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "planned" and meeting.minutes == ""  # not even the minutes: nothing half done
    client.post(url, {**valid_post(personas, meeting), "close": "", "confirm_close": "on"})
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes) == ("closed", "Revue.")
