"""Sessions as ASVS 5.0 V7 asks: a person sees their open sessions and ends them; the
coordinator of their cellule and the technical administrator end them too, nobody else; deactivating the
account, setting its password or changing its second factor ends every other session at once."""

import base64
import datetime
import re

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import totp

from audit.models import Event
from organisation import accounts, second_factor
from organisation.models import AccountSession
from organisation.session_store import digest
from tests.conftest import PASSWORD

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
PHONE = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 "
         "Mobile Safari/537.36")
MINE = reverse("sessions")


def signed_in(username: str, user_agent: str = FIREFOX, address: str = "198.51.100.1") -> Client:
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 302
    return client


def is_in(client: Client) -> bool:
    """Whether the browser still opens the product's pages, or is sent to the login page."""
    return client.get(MINE).status_code == 200


def key(client: Client) -> str:
    return digest(client.cookies["sessionid"].value)


def ended(reason: str) -> Event:
    return Event.objects.filter(action="user.sessions_end", details__motif=reason).get()


def test_a_person_sees_their_sessions_and_ends_the_one_they_do_not_recognise(personas):
    office, phone = signed_in("member_a"), signed_in("member_a", PHONE, "203.0.113.7")
    page = office.get(MINE).content.decode()
    assert "Firefox sous Windows" in page and "198.51.100.1" in page
    assert "Chrome sous Android" in page and "203.0.113.7" in page
    assert page.count("Cette session") == 1 and 'href="/compte/sessions/"' in page  # the header's link
    assert office.post(MINE, {"session": key(phone)}).status_code == 302
    assert not is_in(phone) and is_in(office)
    assert ended("à la demande").details["nombre"] == 1
    assert "Chrome sous Android" not in office.get(MINE).content.decode()


def test_ending_all_the_other_sessions_keeps_the_one_in_use(personas):
    office, phone, home = signed_in("member_a"), signed_in("member_a", PHONE), signed_in("member_a")
    assert office.post(MINE, {"session": "toutes"}).status_code == 302
    assert [is_in(c) for c in (office, phone, home)] == [True, False, False]
    assert ended("à la demande").details["nombre"] == 2


@pytest.mark.parametrize("session", ["", "0" * 64, "autre-chose"])
def test_an_unknown_or_missing_session_is_a_french_message_and_ends_nothing(personas, session):
    office, phone = signed_in("member_a"), signed_in("member_a", PHONE)
    response = office.post(MINE, {"session": session})
    assert response.status_code == 400
    assert "Cette session est déjà terminée" in response.content.decode() or "Choisissez" in response.content.decode()
    assert is_in(phone) and not Event.objects.filter(action="user.sessions_end").exists()


def test_the_session_in_use_is_not_ended_from_the_list(personas):
    office = signed_in("member_a")
    assert office.post(MINE, {"session": key(office)}).status_code == 400
    assert is_in(office)


def test_a_coordinator_ends_the_sessions_of_a_member_of_their_cellule(personas):
    member = signed_in("member_a", PHONE, "203.0.113.7")
    coordinator = signed_in("coord_a")
    composition = coordinator.get(reverse("cell_detail", args=["93"])).content.decode()
    page_of_member = reverse("account_sessions", args=[personas.member_a.pk])
    assert f'href="{page_of_member}"' in composition and "1 session ouverte" in composition
    page = coordinator.get(page_of_member).content.decode()
    assert "Chrome sous Android" in page and "203.0.113.7" in page
    assert Event.objects.get(action="user.sessions_view").object_id == str(personas.member_a.pk)
    assert coordinator.post(page_of_member, {"session": "toutes"}).status_code == 302
    assert not is_in(member) and is_in(coordinator)
    event = ended("à la demande")
    assert (event.actor, event.object_id, event.departement) == (personas.coord_a, str(personas.member_a.pk), "93")


@pytest.mark.parametrize("who", ["coord_b", "member_a", "national", "mobile", "inspector"])
def test_nobody_else_sees_or_ends_another_persons_sessions(personas, who):
    target = signed_in("coord_a")
    other = signed_in(who)
    page = reverse("account_sessions", args=[personas.coord_a.pk])
    assert other.get(page).status_code == 404
    # An inspector posts nothing anywhere: refused (403) before any lookup.
    assert other.post(page, {"session": "toutes"}).status_code == (403 if who == "inspector" else 404)
    assert is_in(target) and not Event.objects.filter(action="user.sessions_end").exists()
    assert reverse("account_sessions", args=[personas.coord_a.pk]) not in other.get(
        reverse("cell_detail", args=["93"])).content.decode()


def test_the_administrator_ends_anyones_sessions_from_the_account_page(personas):
    target = signed_in("coord_a")
    admin = signed_in("admin")
    account = admin.get(reverse("account_detail", args=[personas.coord_a.pk])).content.decode()
    assert reverse("account_sessions", args=[personas.coord_a.pk]) in account
    assert admin.post(reverse("account_sessions", args=[personas.coord_a.pk]), {"session": "toutes"}).status_code == 302
    assert not is_in(target)


def test_an_inspector_reads_only_but_ends_their_own_sessions(personas):
    office, phone = signed_in("inspector"), signed_in("inspector", PHONE)
    assert office.post(MINE, {"session": key(phone)}).status_code == 302
    assert not is_in(phone)


def admin_sets(personas, active: bool) -> None:
    admin = Client()
    admin.force_login(personas.admin)
    response = admin.post(reverse("account_detail", args=[personas.member_a.pk]), {"active": "1" if active else "0"})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_deactivating_an_account_ends_its_sessions_at_once(personas):
    office, phone = signed_in("member_a"), signed_in("member_a", PHONE)
    admin_sets(personas, active=False)
    assert not AccountSession.objects.filter(user=personas.member_a).exists()
    assert ended("compte désactivé").details["nombre"] == 2
    admin_sets(personas, active=True)  # active again: the sessions opened before do not come back
    assert not is_in(office) and not is_in(phone)


def test_choosing_a_password_by_the_invitation_link_ends_every_session(personas):
    thief = signed_in("member_a", PHONE)
    personas.member_a.refresh_from_db()  # the token is made from the account as stored
    link = reverse("password_reset_confirm", args=[urlsafe_base64_encode(force_bytes(personas.member_a.pk)),
                                                   default_token_generator.make_token(personas.member_a)])
    owner = Client()
    form = owner.get(link, follow=True)
    assert owner.post(form.redirect_chain[-1][0], {"new_password1": "une-phrase-de-passe-neuve",
                                                   "new_password2": "une-phrase-de-passe-neuve"}).status_code == 302
    assert not AccountSession.objects.filter(user=personas.member_a).exists()
    assert ended("mot de passe changé").actor == personas.member_a
    assert not is_in(thief)


@pytest.fixture
def second_factor_required(settings):
    settings.SECOND_FACTOR_REQUIRED = True


def verified(username: str, secret: str, user_agent: str = FIREFOX) -> Client:
    client = signed_in(username, user_agent)
    code = f"{totp(base64.b32decode(secret)):06d}"
    assert client.post(reverse("second_factor_verify"), {"code": code, "next": "/"}).status_code == 302
    return client


def test_a_second_factor_reset_ends_the_sessions_so_no_one_enrols_in_one_of_them(personas, second_factor_required):
    secret = second_factor.new_secret()
    second_factor.enrol(personas.member_a, secret, step=-1)
    stolen = verified("member_a", secret, PHONE)
    # A lost phone: the administrator asks, the coordinator approves.
    accounts.decide_recovery(personas.coord_a, accounts.request_recovery(
        personas.admin, personas.member_a, kind="second_factor", reason="Téléphone perdu."), approve=True)
    # Without a session, the thief's browser is at the login page, not at the enrolment of a new phone.
    response = stolen.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert ended("second facteur changé").actor == personas.coord_a


def test_enrolling_a_second_factor_ends_the_other_sessions(personas, second_factor_required):
    waiting = signed_in("member_a", PHONE)  # the password given, the second factor not yet
    enrolling = signed_in("member_a")
    page = enrolling.get(reverse("second_factor_enrol")).content.decode()
    secret = re.search(r'<code id="secret">([A-Z2-7]+)</code>', page).group(1)
    code = f"{totp(base64.b32decode(secret)):06d}"
    assert enrolling.post(reverse("second_factor_enrol"), {"code": code, "next": "/"}).status_code == 200
    assert enrolling.get(reverse("home")).status_code == 200
    response = waiting.get(reverse("second_factor_enrol"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert ended("second facteur changé").details["nombre"] == 1


def test_a_session_ended_by_its_limits_is_erased_with_what_it_said_of_its_owner(personas):
    forgotten = signed_in("member_a", PHONE, "203.0.113.7")
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        signed_in("coord_a")  # anyone's next login
    assert not AccountSession.objects.filter(user=personas.member_a).exists()
    assert not is_in(forgotten)


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_refused(personas, method):
    office, phone = signed_in("member_a"), signed_in("member_a", PHONE)
    assert getattr(office, method)(MINE).status_code == 405
    assert getattr(office, method)(reverse("account_sessions", args=[personas.member_a.pk])).status_code == 405
    assert is_in(phone)
