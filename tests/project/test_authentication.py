"""Signing in resists attack: lockout after repeated failures, Argon2, sessions bounded on the server,
access cut at the next request when an account is deactivated or a membership ends."""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from organisation.models import AccountSession
from project import settings as project_settings
from tests.audit.trail import minute_over
from tests.conftest import PASSWORD

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

LOGIN = reverse("login")
ROOT = Path(__file__).resolve().parents[2]


def attempt(client, username: str, password: str, address: str = "203.0.113.5"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize("username", ["coord_a", "personne-inconnue"])
def test_five_failures_lock_the_account_whether_it_exists_or_not(client, personas, username):
    for _ in range(4):
        assert attempt(client, username, "mauvais-mot-de-passe").status_code == 200
    locked = attempt(client, username, "mauvais-mot-de-passe")
    assert locked.status_code == 429 and "Connexion temporairement bloquée" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()
    right = attempt(client, username, PASSWORD)  # even the right password, for coord_a
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    minute_over()
    refused = Event.objects.get(action="auth.lockouts")  # the locking try and the next one, counted
    assert refused.details["nombre"] == 2
    assert refused.object_id == (str(personas.coord_a.pk) if username == "coord_a" else "")
    assert username not in json.dumps(refused.details)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        after = attempt(client, username, PASSWORD)
        assert after.status_code == (302 if username == "coord_a" else 200)


PREFECTURE = "198.51.100.9"  # the egress address every agent of one préfecture shares


def test_one_colleagues_typos_lock_their_account_never_the_colleague_behind_the_same_address(client, personas):
    for _ in range(4):
        assert attempt(client, "member_a", "mauvais-mot-de-passe", address=PREFECTURE).status_code == 200
    assert attempt(client, "member_a", "mauvais-mot-de-passe", address=PREFECTURE).status_code == 429
    assert attempt(client, "member_a", PASSWORD, address=PREFECTURE).status_code == 429  # their account is locked
    for _ in range(40):  # and they keep trying, as a person locked out does
        attempt(client, "member_a", "encore-une-faute", address=PREFECTURE)
    colleague = Client()
    assert attempt(colleague, "coord_a", PASSWORD, address=PREFECTURE).status_code == 302
    assert "_auth_user_id" in colleague.session


def test_a_spray_of_usernames_from_one_address_throttles_it(client, personas, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 30
    for n in range(29):  # one try for each of many accounts: no account reaches its own limit
        assert attempt(client, f"agent-{n}", "Printemps2024!", address=PREFECTURE).status_code == 200
    assert attempt(Client(), "coord_a", PASSWORD, address=PREFECTURE).status_code == 302  # not yet
    assert attempt(client, "agent-29", "Printemps2024!", address=PREFECTURE).status_code == 429  # the 30th
    for who, password in (("coord_a", PASSWORD), ("member_a", PASSWORD), ("agent-30", "Printemps2024!")):
        assert attempt(Client(), who, password, address=PREFECTURE).status_code == 429
    assert attempt(Client(), "coord_a", PASSWORD, address="198.51.100.10").status_code == 302  # elsewhere
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        assert attempt(Client(), "coord_a", PASSWORD, address=PREFECTURE).status_code == 302


def test_an_address_limit_one_persons_typos_could_reach_is_refused_at_start_up():
    env = {"PATH": os.environ["PATH"], "DEMO": "1", "LOGIN_FAILURE_LIMIT": "5", "LOGIN_ADDRESS_FAILURE_LIMIT": "5"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,  # noqa: S603
                            text=True, timeout=60)
    assert result.returncode != 0 and "LOGIN_ADDRESS_FAILURE_LIMIT" in result.stderr


def test_a_success_before_the_limit_starts_the_count_again(client, personas):
    for _ in range(4):
        attempt(client, "coord_a", "mauvais-mot-de-passe")
    assert attempt(client, "coord_a", PASSWORD).status_code == 302
    other = Client()
    for _ in range(4):
        assert attempt(other, "coord_a", "mauvais-mot-de-passe").status_code == 200


def test_passwords_are_hashed_with_argon2():
    with override_settings(PASSWORD_HASHERS=project_settings.PASSWORD_HASHERS):
        assert identify_hasher(make_password("une-phrase-solide-42")).algorithm == "argon2"


def signed_in(personas) -> Client:
    client = Client()
    assert attempt(client, "member_a", PASSWORD).status_code == 302
    return client


@pytest.mark.parametrize("pause,still_in", [(datetime.timedelta(minutes=29), True),
                                            (datetime.timedelta(minutes=31), False)])
def test_a_session_ends_after_thirty_minutes_without_a_request(personas, pause, still_in):
    client = signed_in(personas)
    key = client.session.session_key
    with time_machine.travel(timezone.now() + pause):
        response = client.get(reverse("home"))
    assert (response.status_code == 200) is still_in
    assert AccountSession.objects.filter(session_key=key).exists() is still_in
    if not still_in:
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_session_ends_twelve_hours_after_the_login_however_busy(personas):
    client = signed_in(personas)
    start = timezone.now()
    for quarter in range(1, 48):  # a request every quarter of an hour, for eleven hours and three quarters
        with time_machine.travel(start + datetime.timedelta(minutes=15 * quarter)):
            assert client.get(reverse("home")).status_code == 200, quarter
    with time_machine.travel(start + datetime.timedelta(hours=12, minutes=1)):
        assert client.get(reverse("home")).status_code == 302


def test_signing_out_deletes_the_session_on_the_server(personas):
    client = signed_in(personas)
    key = client.session.session_key
    client.post(reverse("logout"))
    assert not AccountSession.objects.filter(session_key=key).exists()
    thief = Client()
    thief.cookies["sessionid"] = key  # the cookie copied before the logout opens nothing
    assert thief.get(reverse("home")).status_code == 302


def test_a_deactivated_account_is_out_at_the_next_request(personas):
    client = signed_in(personas)
    personas.member_a.is_active = False
    personas.member_a.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_an_ended_membership_opens_nothing_at_the_next_request(personas):
    client = signed_in(personas)
    assert reverse("cell_detail", args=["93"]) in client.get(reverse("home")).content.decode()
    personas.member_a.memberships.update(ends_on=timezone.localdate() - datetime.timedelta(days=1))
    assert client.get(reverse("cell_detail", args=["93"])).status_code == 404


@pytest.mark.parametrize("forwarded", ["'; SELECT 1; --", "2001:DB8::1::1", "999.1.1.1"])
def test_a_crafted_address_never_breaks_the_login(client, personas, settings, forwarded):
    settings.AUDIT_TRUSTED_PROXIES = 1
    response = client.post(LOGIN, {"username": "coord_a", "password": "mauvais"}, REMOTE_ADDR="10.0.0.2",
                           HTTP_X_FORWARDED_FOR=forwarded)
    assert response.status_code == 200 and "Identifiant ou mot de passe incorrect" in response.content.decode()
    assert client.post(LOGIN, {"username": "coord_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2",
                       HTTP_X_FORWARDED_FOR=forwarded).status_code == 302
