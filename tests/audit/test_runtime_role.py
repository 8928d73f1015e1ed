"""The application's PostgreSQL role appends to the trail, and must not make the trail or its sealing lie
by what it appends: the transaction of an event is the database's, a seal is made
by the database's sealing function only, and no lock that role can take halts the sealing. Each
attack is made as that role (``tests.conftest.RuntimeRole``)."""

import datetime
import threading

import psycopg
import pytest
import time_machine
from django.db import connection, connections, transaction
from django.db.utils import ProgrammingError
from django.utils import timezone

import audit
from audit import sealer
from audit.models import Event, Seal
from tests.audit.trail import verified

pytestmark = pytest.mark.postgresql

INSERT = ("INSERT INTO audit_event (time, actor_label, actor_role, actor_cell, request_id, action, object_type, "
          "object_id, departement, details, txid) VALUES (now(), 'intrus', '', '', '', %s, '', '', '93', '{}', %s)")
FAR_FUTURE = 2**62


def test_an_event_carries_its_own_transaction_whatever_the_inserter_writes(runtime_role, client):
    with runtime_role, connection.cursor() as cursor:
        cursor.execute(INSERT, ["test.injection", FAR_FUTURE])  # never below any sealer's horizon
        cursor.execute(INSERT, ["test.perdu", None])  # nor NULL, which no sealer takes either
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        own = cursor.fetchone()[0]
        sealer.seal()
    forged = Event.objects.filter(action__in=["test.injection", "test.perdu"])
    assert {event.txid for event in forged} == {own}
    assert Seal.objects.filter(event__in=forged).count() == 2
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        response = client.get("/health/")
    assert response.status_code == 200 and response.json()["journal_non_scelle"]["evenements"] == 0


def test_the_runtime_role_cannot_write_a_seal(runtime_role):
    """A seal of its own making, ranked and dated far ahead, would stop every later seal (the sealer
    starts from the last seal's horizon) and hide the unsealed window from /health/."""
    audit.record("test.un")
    with runtime_role, pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
        event = Event.objects.get(action="test.un")
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO audit_seal (event_id, seq, hash, horizon) VALUES (%s, %s, %s, %s)",
                           [event.pk, 10**12, "0" * 64, FAR_FUTURE])
    with runtime_role:
        assert sealer.seal() == 1  # it seals through the database's function
    audit.record("test.deux")
    assert sealer.seal() == 1 and verified().verified == 2


def test_tables_of_the_session_do_not_stand_for_the_seals_or_the_turn(runtime_role):
    """Temporary tables come first in a function's search path unless it says otherwise: a copy of
    the seals whose last one is ranked far ahead, an empty turn, must not be what the sealer reads."""
    audit.record("test.un")
    with runtime_role, connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE audit_seal (LIKE public.audit_seal INCLUDING ALL)")
        cursor.execute("INSERT INTO audit_seal (event_id, seq, hash, horizon) VALUES (0, %s, %s, %s)",
                       [10**12, "0" * 64, FAR_FUTURE])
        cursor.execute("CREATE TEMPORARY TABLE audit_sealer_turn (id smallint)")
        assert sealer.seal() == 1
        cursor.execute("DROP TABLE pg_temp.audit_seal, pg_temp.audit_sealer_turn")  # this session's reads, after
    assert verified().verified == 1


@pytest.fixture
def no_seal_after_commit(monkeypatch):
    monkeypatch.setattr(sealer, "_next_attempt", float("inf"))


@pytest.mark.django_db(transaction=True)
def test_no_lock_the_runtime_role_can_take_halts_the_sealing(runtime_role, no_seal_after_commit):
    with runtime_role.connect() as intruder:
        intruder.execute("SELECT pg_advisory_lock(%s)", [0x617564697400])  # the key the sealer once used
        audit.record("test.un")
        with runtime_role:  # the application seals, as the runtime role, while the intruder's session lives
            assert sealer.seal() == 1
        # Nor can it hold the sealer's turn, a row only the sealing function locks.
        for statement in ("SELECT * FROM audit_sealer_turn FOR UPDATE", "LOCK TABLE audit_sealer_turn",
                          "LOCK TABLE audit_seal IN SHARE ROW EXCLUSIVE MODE"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), intruder.transaction():
                intruder.execute(statement)
    assert verified().verified == 1


@pytest.mark.django_db(transaction=True)
def test_two_sealers_never_work_at_once_and_the_second_never_waits(runtime_role, no_seal_after_commit):
    audit.record("test.un")
    sealing, release = threading.Event(), threading.Event()

    def first_sealer() -> None:
        try:
            with transaction.atomic():
                assert sealer.seal() == 1
                sealing.set()
                release.wait(10)  # its seals not committed yet
        finally:
            connections.close_all()

    first = threading.Thread(target=first_sealer)
    first.start()
    sealing.wait(10)
    try:
        with runtime_role.connect() as other:
            other.execute("SET lock_timeout = '5s'")  # a sealer that waited would fail here, not return 0
            assert other.execute("SELECT audit_seal_events(100)").fetchone()[0] == 0
    finally:
        release.set()
        first.join()
    assert Seal.objects.count() == 1 and verified().verified == 1
