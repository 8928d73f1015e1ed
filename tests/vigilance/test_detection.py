"""Point 7 of issue 30: an account that opens many cases it does not work on raises an alert; an account
reading its own cases a lot, or a colleague at their usual rhythm, does not; the cellule's floor and the
peers of the same role are respected (docs/alertes-lecture.md)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from tests.organisation.factories import MembershipFactory
from tests.vigilance.history import DAY, detect, read, usual
from vigilance.models import ReadingAlert

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

pytestmark = pytest.mark.django_db


def test_an_account_opening_many_cases_outside_its_work_raises_an_alert_recorded_with_its_events(personas):
    colleague = MembershipFactory(cell=personas.cell_a).user
    usual(personas.member_a, 1)
    usual(colleague, 1)
    read(personas.member_a, DAY, 12)
    detect()
    alert = ReadingAlert.objects.get()
    assert (alert.account, alert.cell, alert.day, alert.reached, alert.floor) == (
        personas.member_a, personas.cell_a, DAY, 12, 5)
    behind = Event.objects.filter(pk__in=alert.event_ids)
    assert behind.count() == 12 and set(behind.values_list("time__date", flat=True)) == {DAY}
    raised = Event.objects.get(action="reading_alert.raise")
    assert raised.departement == "93" and raised.details["événements"] == alert.event_ids
    assert raised.details["compte"] == "member_a" and raised.actor is None


def test_reading_ones_own_cases_a_lot_raises_nothing(personas):
    read(personas.member_a, DAY, 40, motive=False)  # their own work: no motive asked
    detect()
    assert not ReadingAlert.objects.exists()


def test_a_colleague_at_their_usual_rhythm_raises_nothing(personas):
    usual(personas.member_a, 8)  # a member who often stands in for others
    read(personas.member_a, DAY, 8)
    detect()
    assert not ReadingAlert.objects.exists()


def test_an_account_reading_as_much_as_its_peers_of_the_same_role_raises_nothing(personas):
    newcomer = MembershipFactory(cell=personas.cell_a).user  # no history of their own
    for peer in (personas.member_a, MembershipFactory(cell=personas.cell_a).user):
        usual(peer, 9)
        read(peer, DAY, 9)
    read(newcomer, DAY, 9)
    detect()
    assert not ReadingAlert.objects.exists()


def test_below_the_cellules_floor_nothing_is_raised_until_its_coordinator_lowers_it(client, personas):
    read(personas.member_a, DAY, 4)
    detect()
    assert not ReadingAlert.objects.exists()
    client.force_login(personas.coord_a)
    response = client.post(reverse("vigilance:floor"), {"floor": "3"})
    assert response.status_code == 302
    personas.cell_a.refresh_from_db()
    personas.cell_b.refresh_from_db()
    assert (personas.cell_a.reading_alert_floor, personas.cell_b.reading_alert_floor) == (3, 5)
    changed = Event.objects.get(action="reading_alert.floor")
    assert (changed.actor, changed.departement, changed.details) == (personas.coord_a, "93", {"avant": 5, "après": 3})
    detect()
    assert ReadingAlert.objects.get().floor == 3


@pytest.mark.parametrize("floor", ["1", "201", "cinq", ""])
def test_a_floor_out_of_bounds_is_refused_with_a_french_message_and_changes_nothing(client, personas, floor):
    client.force_login(personas.coord_a)
    response = client.post(reverse("vigilance:floor"), {"floor": floor})
    assert response.status_code == 400
    assert "seuil" in response.content.decode().lower()
    personas.cell_a.refresh_from_db()
    assert personas.cell_a.reading_alert_floor == 5 and not Event.objects.filter(action="reading_alert.floor").exists()


def test_only_a_coordinator_sets_the_floor(client, personas):
    client.force_login(personas.member_a)
    assert client.post(reverse("vigilance:floor"), {"floor": "3"}).status_code == 403
    personas.cell_a.refresh_from_db()
    assert personas.cell_a.reading_alert_floor == 5


def test_refused_accesses_count_and_are_the_alerts_events(client, personas):
    from tests.cases.factories import CaseFactory

    elsewhere = [CaseFactory(coordinator=personas.coord_b) for _ in range(6)]
    client.force_login(personas.member_a)
    for case in elsewhere:
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    detect(timezone.localdate(Event.objects.filter(action="access.denied").latest("id").time))
    alert = ReadingAlert.objects.get()
    assert alert.reached == 6
    assert set(Event.objects.filter(pk__in=alert.event_ids).values_list("action", flat=True)) == {"access.denied"}


def test_running_again_raises_no_second_alert_and_says_how_many(personas):
    read(personas.member_a, DAY, 12)
    out = StringIO()
    call_command("detect_unusual_reading", jour=DAY.isoformat(), stdout=out)
    call_command("detect_unusual_reading", jour=DAY.isoformat(), stdout=out)
    assert out.getvalue().splitlines() == ["1 alerte levée pour le 31/03/2026.",
                                           "Aucune alerte levée pour le 31/03/2026."]
    assert ReadingAlert.objects.count() == 1 and Event.objects.filter(action="reading_alert.raise").count() == 1
    assert Event.objects.filter(action="job.run", details__tâche="detect_unusual_reading").count() == 2


def test_a_malformed_day_is_refused_in_french():
    with pytest.raises(CommandError, match="AAAA-MM-JJ"):
        call_command("detect_unusual_reading", jour="31/03/2026")
