"""A second-factor code is accepted once, whatever the concurrency: two sessions giving the same code
at the same instant, with real threads on PostgreSQL."""

import base64
import threading

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from organisation import second_factor
from organisation.models import SecondFactor
from tests.cases.test_concurrency import at_once
from tests.conftest import PASSWORD, build_personas

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]
VERIFY = reverse("second_factor_verify")


@pytest.fixture
def personas(transactional_db, settings):  # not the module's shared ones: these tests commit
    settings.SECOND_FACTOR_REQUIRED = True
    return build_personas()


def enrol(user) -> tuple[str, list[str]]:
    """An authenticator enrolled for ``user`` (no step spent yet), and its recovery codes."""
    secret = second_factor.new_secret()
    _, codes = second_factor.enrol(user, secret, step=-1)
    return secret, codes


def signed_in(username: str) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def both_read_the_device(monkeypatch):
    """Each request reads the authenticator, then waits for the other to have read it too: the
    moment where a check made on what was read lets the same code through twice."""
    barrier, read = threading.Barrier(2, timeout=10), second_factor.device_of

    def device_of(user):
        device = read(user)
        barrier.wait()
        return device

    monkeypatch.setattr(second_factor, "device_of", device_of)


def test_one_code_given_by_two_sessions_at_once_opens_one(personas, both_read_the_device):
    secret, _ = enrol(personas.member_a)
    first, second = signed_in("member_a"), signed_in("member_a")
    code = f"{totp(base64.b32decode(secret)):06d}"
    answers = at_once(lambda: first.post(VERIFY, {"code": code, "next": "/"}),
                      lambda: second.post(VERIFY, {"code": code, "next": "/"}))
    assert sorted(a.status_code for a in answers) == [302, 400]
    opened = [c for c in (first, second) if c.get(reverse("home")).status_code == 200]
    assert len(opened) == 1


def test_wrong_codes_sent_at_once_get_one_verdict_then_the_delay(personas, monkeypatch):
    enrol(personas.member_a)
    checked, make = [], second_factor._totp
    monkeypatch.setattr(second_factor, "_totp", lambda key: checked.append(key) or make(key))
    # Four sessions, each holding the authenticator as it read it, try a code at the same instant.
    devices = [SecondFactor.objects.get(user=personas.member_a) for _ in range(4)]
    results = at_once(*[lambda device=device: second_factor.verify_totp(device, "000000") for device in devices])
    assert results == [False] * 4
    # One code is checked; the others come too soon after its failure and are refused unchecked.
    assert len(checked) == 1
    assert SecondFactor.objects.get(user=personas.member_a).throttling_failure_count == 1


def test_a_recovery_code_given_by_two_sessions_at_once_opens_one(personas):
    _, codes = enrol(personas.member_a)
    results = at_once(*[lambda: second_factor.use_recovery_code(personas.member_a, codes[0])] * 2)
    assert sorted(results) == [False, True]
