"""An anonymous flood writes the trail at the product's pace: refused API calls and
failed logins are counted per minute and address, one event per count, still naming the account aimed
at for the inspectors, never what was typed otherwise."""

import datetime
import json

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit import tallies
from audit.models import Event, Tally
from tests.audit.trail import minute_over
from tests.cases.test_concurrency import at_once
from tests.conftest import build_personas
from tests.intake.conftest import API

FLOOD = "203.0.113.66"
# What a person may type in the username field: a name (of a young person, say), a password, an attack
# (longer than 150 characters, the login form refuses it).
TYPED = ["Inès Dupont", "Printemps2024!", "'; DROP TABLE audit_event; --", "<script>alert(1)</script>", "é" * 150]


def within_one_minute():
    """The clock stopped a few seconds into a minute: the whole flood falls in it."""
    return time_machine.travel(timezone.now().replace(second=5, microsecond=0), tick=False)


def fail_login(username: str, client: Client | None = None) -> int:
    return (client or Client()).post(reverse("login"), {"username": username, "password": "mauvais"},
                                      REMOTE_ADDR=FLOOD).status_code


def refused_call() -> int:
    return Client().post(API, data="{}", content_type="application/json", REMOTE_ADDR=FLOOD).status_code


def test_a_flood_from_one_address_adds_a_few_events_with_the_right_counts(personas):
    last = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    client = Client()
    with within_one_minute():
        assert {refused_call() for _ in range(500)} == {401}
        statuses = [fail_login("coord_a" if n % 2 else f"agent-{n // 2 % 40}", client) for n in range(500)]
        assert set(statuses) == {200, 429}  # locked out along the way: refused all the same, and counted
        assert Event.objects.filter(pk__gt=last).count() == 0  # nothing written while the minute runs
        stamp = f"{timezone.localtime():%d/%m/%Y %H:%M:%S}"
        minute_over()
    written = Event.objects.filter(pk__gt=last)
    assert sorted((e.action, e.object_id) for e in written) == sorted([
        ("intake.api_refusals", ""),
        ("auth.login_failures", str(personas.coord_a.pk)), ("auth.login_failures", ""),
        ("auth.lockouts", str(personas.coord_a.pk)), ("auth.lockouts", "")])
    api = written.get(action="intake.api_refusals")
    assert (api.ip, api.details["nombre"], api.actor_label) == (FLOOD, 500, "api (sans jeton valide)")
    aimed = written.get(action="auth.login_failures", object_id=str(personas.coord_a.pk))
    others = written.get(action="auth.login_failures", object_id="")
    assert (aimed.details["nombre"], aimed.departement, aimed.ip) == (250, "93", FLOOD)
    assert (others.details["nombre"], others.details["identifiants_inconnus"], others.departement) == (250, 40, "")
    assert aimed.details["premier"] == aimed.details["dernier"] == stamp
    assert not Tally.objects.exists()

    # The inspectors see the failures aimed at the account on the person's activity.
    inspector = Client()
    inspector.force_login(personas.inspector)
    page = inspector.get(reverse("inspection:user_activity", args=["coord_a"])).content.decode()
    assert "Échecs de connexion (décompte de la minute) — nombre : 250 ; adresse : 203.0.113.66" in page
    assert "Connexions refusées pendant un blocage (décompte de la minute)" in page


def test_nothing_typed_reaches_the_trail_but_the_number_of_distinct_names(personas):
    with within_one_minute():
        for typed in TYPED * 2:
            fail_login(typed)
        minute_over()
    event = Event.objects.get(action="auth.login_failures")
    assert (event.details["nombre"], event.details["identifiants_inconnus"]) == (10, 5)
    trail = json.dumps(list(Event.objects.values()), default=str, ensure_ascii=False)
    assert not any(typed[:20] in trail for typed in TYPED)


def test_the_next_failure_after_the_minute_writes_the_minute_before(personas):
    start = timezone.now().replace(second=5, microsecond=0)
    with time_machine.travel(start, tick=False):
        fail_login("member_a")
        fail_login("member_a")
    assert not Event.objects.filter(action="auth.login_failures").exists()
    with time_machine.travel(start + datetime.timedelta(minutes=1), tick=False):
        fail_login("member_a")  # any worker's next count writes the minutes that are over
    written = Event.objects.get(action="auth.login_failures")
    assert (written.object_id, written.details["nombre"]) == (str(personas.member_a.pk), 2)
    assert Tally.objects.get().occurrences == 1  # this minute's, not yet written


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_workers_counting_and_flushing_at_once_write_each_count_once(transactional_db):
    people = build_personas()
    start = timezone.now().replace(second=5, microsecond=0)

    def counts(n: int) -> None:
        for _ in range(n):
            tallies.count("auth.login_failures", ip=FLOOD, label="test", account=people.member_a)

    with time_machine.travel(start, tick=False):
        at_once(*[lambda: counts(25)] * 8)  # eight workers, the same row
    assert Tally.objects.get().occurrences == 200
    with time_machine.travel(start + datetime.timedelta(minutes=1), tick=False):
        flushed = at_once(*[tallies.flush] * 4)
    assert sorted(flushed) == [0, 0, 0, 1]
    assert Event.objects.get(action="auth.login_failures").details["nombre"] == 200
