"""« Prolonger la session » (issue 28, point 14; RGAA 13.1): the warning shown before the idle timeout lets the
person extend their session without leaving the page; a session past its limits is not revived, and the
session's maximum since the login stays."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.organisation.test_sessions import MINE, is_in, signed_in

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

EXTEND = reverse("session_extend")


def later(minutes: float):
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=False)


def test_staying_signed_in_counts_the_idle_time_from_now(personas, settings):
    settings.SESSION_IDLE_MINUTES = 30
    client = signed_in("member_a")
    with later(28):  # the warning is shown: « Prolonger la session »
        answer = client.post(EXTEND)
        assert answer.status_code == 200
        limits = answer.json()
        assert limits["idle"] == 1800 and abs(limits["ends_in"] - (12 * 3600 - 28 * 60)) <= 2
    with later(28 + 29):  # 57 minutes after the last page, 29 after the extension
        assert is_in(client)


def test_without_it_the_session_ends(personas):
    client = signed_in("member_a")
    with later(31):
        assert not is_in(client)


def test_a_session_past_its_idle_time_is_not_revived(personas):
    client = signed_in("member_a")
    with later(31):
        answer = client.post(EXTEND)
        assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))
        assert not is_in(client)


def test_the_maximum_since_the_login_stays(personas):
    client = signed_in("member_a")
    for quarter in range(1, 48):  # active all day long, extending every quarter of an hour
        with later(15 * quarter):
            assert client.post(EXTEND).status_code == 200
    with later(12 * 60 + 1):
        assert client.post(EXTEND).status_code == 302 and not is_in(client)


def test_an_inspector_who_only_reads_may_extend(personas):
    client = signed_in("inspector")
    assert client.post(EXTEND).status_code == 200


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_only_a_post_extends(personas, method):
    assert getattr(signed_in("member_a"), method)(EXTEND).status_code == 405


def test_nobody_extends_without_a_session_or_the_pages_token(personas):
    anonymous = Client()
    assert anonymous.post(EXTEND).status_code == 302
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(personas.member_a)
    assert forged.post(EXTEND).status_code == 403  # a page of another site cannot keep a session open


def test_each_signed_in_page_carries_the_warning_with_the_sessions_limits(personas, settings):
    settings.SESSION_IDLE_MINUTES = 20
    page = signed_in("member_a").get(MINE).content.decode()
    assert 'id="session-expiry"' in page and 'data-idle="1200"' in page and "ui/session.js" in page
    assert int(re.search(r'data-ends-in="(\d+)"', page)[1]) > 12 * 3600 - 60
    login = Client().get(reverse("login")).content.decode()
    assert "session-expiry" not in login and "session.js" not in login
