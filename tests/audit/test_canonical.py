"""Values are made canonical before they are hashed: what the database gives back verifies.

Addresses are the usual way in: a crafted one used to break the chain from its event on, on
PostgreSQL whose inet type normalises what it stores.
"""

import datetime
import json

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import audit
from audit import canonical, chain, proofs
from audit.models import Event
from tests.audit.trail import minute_over, sealed_rows, verified
from tests.organisation.factories import UserFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


def chain_verifies() -> chain.Verification:
    """Verified by the database's own checks (PostgreSQL) and by Python's, from what was read back."""
    result = verified()
    assert chain.verify(sealed_rows()).ok
    return result


@pytest.mark.parametrize("received,stored,rejected", [
    ("2001:DB8:0:0:0:0:0:1", "2001:db8::1", ""),
    (" 198.51.100.4 ", "198.51.100.4", ""),
    ("fe80::1%eth0", "fe80::1", ""),
    ("::ffff:c000:201", "::ffff:192.0.2.1", ""),  # as PostgreSQL's inet writes an IPv4 inside IPv6
    ("::C000:201", "::192.0.2.1", ""),
    ("0:0:0:0:0:0:0:102", "::102", ""),
    ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", ""),
    ("1.2.3.4; DROP TABLE", None, "1.2.3.4; DROP TABLE"),
    ("x" * 500, None, "x" * canonical.REJECTED_ADDRESS_LENGTH),
    ("", None, ""),
    (None, None, ""),
])
def test_an_address_is_stored_as_the_database_returns_it(received, stored, rejected):
    assert canonical.address(received) == (stored, rejected)


def test_text_loses_only_what_postgresql_refuses():
    assert canonical.text("é\x00t\ud800é") == "é\ufffdt?é"
    assert canonical.details({"a": ("x", float("nan")), 2: {"\x00": [1.5, None, True, 1e16, -0.0]}}) == {
        "a": ["x", "nan"], "2": {"\ufffd": [1.5, None, True, 10**16, 0]}}


@pytest.mark.parametrize("remote,forwarded,hops,expected", [
    ("2001:DB8:0:0:0:0:0:1", "", 0, "2001:db8::1"),
    ("10.0.0.2", "6.6.6.6", 0, "10.0.0.2"),  # no proxy trusted: the header is the client's, ignored
    ("10.0.0.2", "6.6.6.6, 203.0.113.9", 1, "203.0.113.9"),  # what the proxy saw, not what the client wrote
    ("10.0.0.3", "6.6.6.6, 203.0.113.9, 10.0.0.2", 2, "203.0.113.9"),
    ("10.0.0.2", "", 1, "10.0.0.2"),  # not through the proxy: the peer
])
def test_the_client_address_is_the_one_the_nearest_trusted_proxy_saw(client, db, settings, remote, forwarded,
                                                                     hops, expected):
    settings.AUDIT_TRUSTED_PROXIES = hops
    client.force_login(UserFactory())  # no role: the page it asks for is refused, the refusal recorded
    client.get(reverse("mandates"), REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    event = Event.objects.get(action="access.denied")
    assert event.ip == expected and "adresse_refusée" not in event.details
    client.logout()
    client.post(reverse("login"), {"username": "personne", "password": "x"}, REMOTE_ADDR=remote,
                HTTP_X_FORWARDED_FOR=forwarded)
    minute_over()  # failed logins are counted per address, the same address
    assert Event.objects.get(action="auth.login_failures").ip == expected
    chain_verifies()


CRAFTED = ["'; SELECT 1; --", "2001:DB8::1::1", "999.1.1.1", "\x00"]


def test_a_crafted_address_is_dropped_noted_and_the_chain_still_verifies(client, db, settings):
    settings.AUDIT_TRUSTED_PROXIES = 1
    client.force_login(UserFactory())  # no role: each page it asks for is refused, the refusal recorded
    for crafted in CRAFTED:
        client.get(reverse("mandates"), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"1.1.1.1, {crafted}")
    client.get(reverse("mandates"), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="2001:DB8:0:0:0:0:0:1")
    events = list(Event.objects.filter(action="access.denied"))
    assert [e.ip for e in events] == [None, None, None, None, "2001:db8::1"]
    assert events[0].details["adresse_refusée"] == "'; SELECT 1; --"
    assert events[3].details["adresse_refusée"] == "\ufffd"
    assert chain_verifies().verified == 6  # and the login's event


def test_failed_logins_from_crafted_addresses_are_counted_as_from_none(client, db, settings):
    settings.AUDIT_TRUSTED_PROXIES = 1
    for crafted in CRAFTED:
        client.post(reverse("login"), {"username": "personne", "password": "x"}, REMOTE_ADDR="10.0.0.2",
                    HTTP_X_FORWARDED_FOR=f"1.1.1.1, {crafted}")
    minute_over()
    counted = Event.objects.get(action="auth.login_failures")  # what a client writes is never a key
    assert (counted.ip, counted.details["nombre"], counted.details["adresse"]) == (None, 4, "aucune")
    assert "SELECT" not in json.dumps(list(Event.objects.values("details")))
    chain_verifies()


ADDRESSES = st.one_of(st.ip_addresses().map(str), st.ip_addresses(v=6).map(lambda a: a.exploded.upper()),
                      st.text(max_size=40), st.none())
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63) | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
TIMES = st.datetimes(min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2099, 12, 31),
                     timezones=st.just(datetime.UTC))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(address=ADDRESSES, label=st.text(max_size=150), details=st.dictionaries(st.text(max_size=10), JSON,
                                                                               max_size=4),
       when=TIMES, as_user=st.booleans())
def test_any_event_read_back_verifies(personas, address, label, details, when, as_user):
    with time_machine.travel(when, tick=False), audit.acting(personas.coord_a if as_user else None, label=label,
                                                             ip=address):
        audit.record("test.evenement", object_id=label[:64], details=details)
    chain_verifies()


@pytest.mark.postgresql
@pytest.mark.parametrize("value", [
    {"é": 1, "ab": 2, "b": [], "": {}, "zz": {"c": None, "a": True}},
    [1e-07, 1.5e300, 0.30000000000000004, -2.5, 10**20, "\n\t\"\\\x01\x7f\u2028é"],
])
def test_details_are_written_as_postgresql_writes_them(db, value):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::jsonb::text", [json.dumps(value)])
        written = cursor.fetchone()[0]
    assert proofs.jsonb_text(value) == written == proofs.jsonb_text(json.loads(written))
