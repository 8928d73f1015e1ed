"""Sessions kept in the cache the processes share (``organisation.session_store``): a page whose
session did not change reads no session row, and an ended session is refused at its next request
all the same, its copy deleted with its row."""


from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organisation import accounts, sessions
from organisation import actions as organisation_actions
from organisation.models import AccountSession
from tests.conftest import PASSWORD
from tests.organisation.factories import MembershipFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

INBOX = reverse("workflows:inbox")


def signed_in(username: str) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 302
    assert client.get(INBOX).status_code == 200  # the session's times written once
    return client


def session_reads(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(INBOX).status_code == 200
    return sum(AccountSession._meta.db_table in query["sql"] for query in captured.captured_queries)


def test_a_page_whose_session_did_not_change_reads_no_session_row(personas):
    assert session_reads(signed_in("member_a")) == 0


def test_a_session_ended_is_refused_at_its_next_request_though_it_was_cached(personas):
    office, phone = signed_in("member_a"), signed_in("member_a")
    assert session_reads(phone) == 0  # read from the cache
    sessions.end_sessions(personas.member_a, personas.member_a, keep=office.session.session_key)
    assert phone.get(INBOX).status_code == 302  # sent to the login page at once
    assert office.get(INBOX).status_code == 200


def test_a_deactivated_account_is_out_at_its_next_request(personas):
    member = signed_in("member_a")
    accounts.set_active(personas.admin, personas.member_a, active=False)
    assert member.get(INBOX).status_code == 302


def test_a_membership_ended_takes_effect_at_the_next_request(personas):
    membership = MembershipFactory(cell=personas.cell_a, user__username="leaving")
    member, page = signed_in("leaving"), reverse("cases:list")
    assert member.get(page).status_code == 200
    organisation_actions.end_membership(personas.coord_a, membership, ends_on=timezone.localdate())
    assert member.get(page).status_code == 403


def scope_reads(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(INBOX).status_code == 200
    return sum(query["sql"].startswith('SELECT "organisation_membership"') for query in captured.captured_queries)


def test_the_scope_is_kept_with_the_session_until_a_membership_changes(personas):
    member = signed_in("member_a")
    assert scope_reads(member) == 0
    membership = personas.member_a.memberships.get()
    membership.contacts_families = True
    organisation_actions.save_membership(personas.coord_a, membership)
    assert scope_reads(member) == 1  # the change counts at once
    assert scope_reads(member) == 0
