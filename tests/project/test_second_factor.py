"""The second factor: enrolled at the first login, asked at each one, secret encrypted at rest,
codes single-use and slowed down after failures, recovery codes once each; demo accounts only in
demo mode go without it."""

import base64
import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from audit.models import Event
from organisation.models import RecoveryCode, SecondFactor
from tests.conftest import PASSWORD

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

VERIFY, ENROL = reverse("second_factor_verify"), reverse("second_factor_enrol")


@pytest.fixture(autouse=True)
def _second_factor_required(settings):
    settings.SECOND_FACTOR_REQUIRED = True


def signed_in_with_password(username: str = "member_a") -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 302
    return client


def code(secret: str) -> str:
    return f"{totp(base64.b32decode(secret)):06d}"


def enrolled(client, used: list | None = None) -> tuple[str, list[str]]:
    """Enrol through the pages; the code given is appended to ``used``."""
    page = client.get(ENROL, follow=True).content.decode()
    secret = re.search(r'<code id="secret">([A-Z2-7]+)</code>', page).group(1)
    given = code(secret)
    done = client.post(ENROL, {"code": given, "next": "/"})
    assert done.status_code == 200 and "Second facteur activé" in done.content.decode()
    if used is not None:
        used.append(given)
    return secret, re.findall(r"<code>([0-9A-F]{6}-[0-9A-F]{6})</code>", done.content.decode())


def test_the_first_login_enrols_an_authenticator_before_any_page(personas):
    client = signed_in_with_password()
    first = client.get(reverse("cases:list"))
    assert first.status_code == 302 and first["Location"].startswith(VERIFY)
    assert client.get(first["Location"])["Location"] == ENROL  # no authenticator yet: enrolment
    page = client.get(ENROL).content.decode()
    assert "<svg" in page and 'id="secret"' in page
    refused = client.post(ENROL, {"code": "000000"})
    assert refused.status_code == 400 and "Ce code ne correspond pas" in refused.content.decode()
    secret, recovery = enrolled(client)
    assert len(recovery) == 10 and len(set(recovery)) == 10
    assert client.get(reverse("cases:list")).status_code == 200
    stored = SecondFactor.objects.get(user=personas.member_a)
    raw = base64.b32decode(secret)
    assert secret not in stored.secret and raw.hex() not in stored.secret  # encrypted at rest
    assert not any(c in d for c in recovery for d in RecoveryCode.objects.values_list("digest", flat=True))
    assert Event.objects.filter(action="user.second_factor_enrol", actor=personas.member_a).count() == 1


def test_each_login_asks_the_code_once_per_time_step(personas):
    used = []
    enrolled(signed_in_with_password(), used)
    client = signed_in_with_password()
    assert client.get(reverse("home"))["Location"].startswith(VERIFY)
    # The code just used to enrol is spent: a time step is accepted only once (even if a new one began).
    assert client.post(VERIFY, {"code": used[0]}).status_code == 400
    assert Event.objects.filter(action="auth.second_factor_failed").count() == 1


def test_a_recovery_code_opens_once(personas):
    _, recovery = enrolled(signed_in_with_password())
    first = signed_in_with_password()
    assert first.post(VERIFY, {"code": recovery[0].lower(), "next": "/"}).status_code == 302
    assert first.get(reverse("home")).status_code == 200
    second = signed_in_with_password()
    assert second.post(VERIFY, {"code": recovery[0]}).status_code == 400
    used = Event.objects.get(action="user.recovery_code_used")
    assert used.details["restants"] == 9


def test_a_wrong_code_slows_down_the_next_tries_even_the_right_one(personas):
    secret, _ = enrolled(signed_in_with_password())
    client = signed_in_with_password()
    assert client.post(VERIFY, {"code": "123456"}).status_code == 400
    next_step = f"{totp(base64.b32decode(secret), drift=1):06d}"  # a code not yet spent
    assert client.post(VERIFY, {"code": next_step}).status_code == 400  # too soon after a failure
    device = SecondFactor.objects.get(user=personas.member_a)
    assert device.throttling_failure_count == 1 and not device.verify_is_allowed()[0]


def test_a_foreign_next_address_is_not_followed(personas):
    _, recovery = enrolled(signed_in_with_password())
    client = signed_in_with_password()
    response = client.post(VERIFY, {"code": recovery[1], "next": "https://exemple.invalid/piege"})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize("demo,email,asked", [(True, "coord@demo.invalid", False), (False, "coord@demo.invalid", True),
                                              (True, "coord@interieur.gouv.fr", True)])
def test_only_the_demos_own_accounts_go_without_it_and_only_in_demo_mode(personas, settings, demo, email, asked):
    settings.DEMO = demo
    personas.coord_a.email = email
    personas.coord_a.save()
    client = signed_in_with_password("coord_a")
    assert (client.get(reverse("home")).status_code == 302) is asked


def test_a_read_only_inspector_gives_a_second_factor_too(personas):
    client = signed_in_with_password("inspector")
    enrolled(client)
    assert client.get(reverse("inspection:search")).status_code == 200


def test_a_secret_encrypted_under_a_former_key_is_refused_not_an_error(personas, settings):
    used = []
    enrolled(signed_in_with_password(), used)
    settings.SECOND_FACTOR_KEY = "T2xkS2V5T2xkS2V5T2xkS2V5T2xkS2V5T2xkS2V5MDA="  # another Fernet key
    client = signed_in_with_password()
    response = client.post(VERIFY, {"code": "123456"})
    assert response.status_code == 400 and "Code refusé" in response.content.decode()
