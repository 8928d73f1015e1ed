"""What only PostgreSQL shows: the append-only triggers and concurrent appends."""

import threading
import time

import pytest
from django.db import DatabaseError, connection, connections, transaction

import audit
from audit import sealer
from audit.models import Event, Seal
from tests.audit.trail import verified

pytestmark = pytest.mark.postgresql


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_event SET action = 'test.falsifie'", "DELETE FROM audit_event", "TRUNCATE audit_event, audit_seal",
     "UPDATE audit_seal SET hash = md5(hash) || md5(hash)", "DELETE FROM audit_seal", "TRUNCATE audit_seal"],
)
def test_the_database_refuses_to_change_the_trail(db, sql):
    audit.record("test.immuable")
    sealer.seal()
    connection.check_constraints()  # no deferred check pending: TRUNCATE would refuse for that reason
    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert Event.objects.get().action == "test.immuable" and Seal.objects.get().seq == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_leave_one_valid_chain(capsys):
    threads_count, per_thread = 8, 50
    errors = []
    start = threading.Barrier(threads_count)

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                audit.record("test.concurrent", object_id=f"{n}-{i}")
        except Exception as error:  # reported below, the thread must not die silently
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(threads_count)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began

    assert errors == []
    result = verified()
    assert result.ok, result.broken
    assert result.verified == Event.objects.count() == threads_count * per_thread
    assert Event.objects.values("object_id").distinct().count() == threads_count * per_thread
    with capsys.disabled():
        print(f"\n{threads_count} threads × {per_thread} events: {elapsed:.2f} s, "
              f"{threads_count * per_thread / elapsed:.0f} events/s")


@pytest.fixture
def no_seal_after_commit(monkeypatch):
    """The events wait for an explicit seal, as when requests come faster than AUDIT_SEAL_INTERVAL."""
    monkeypatch.setattr(sealer, "_next_attempt", float("inf"))


@pytest.mark.django_db(transaction=True)
def test_an_event_committed_late_with_a_lower_id_is_sealed_in_its_turn(no_seal_after_commit):
    inserted, release = threading.Event(), threading.Event()

    def slow_request() -> None:
        try:
            with transaction.atomic():
                audit.record("test.un")  # written at once, inside a transaction that stays open
                inserted.set()
                release.wait(10)
        finally:
            connections.close_all()

    slow = threading.Thread(target=slow_request)
    slow.start()
    inserted.wait(10)
    audit.record("test.deux")  # a higher id, committed first
    assert sealer.seal() == 0  # an older transaction of this database is running: nothing is final yet
    assert sealer.unsealed().count == 1  # the committed one waits (the other is not visible)
    release.set()
    slow.join()
    assert sealer.seal() == 2
    assert list(Seal.objects.values_list("event__action", flat=True)) == ["test.un", "test.deux"]
    assert verified().verified == 2


@pytest.mark.django_db(transaction=True)
def test_sealing_by_batches_never_skips_the_rest_of_a_transaction(no_seal_after_commit, monkeypatch):
    monkeypatch.setattr(sealer, "BATCH", 3)
    for n in range(3):
        with transaction.atomic():
            for i in range(4):
                audit.record("test.concurrent", object_id=f"{n}-{i}")
    assert sealer.seal() == 12
    assert verified().verified == 12



@pytest.mark.django_db(transaction=True)
def test_a_seal_reads_the_new_events_not_the_trail_before_them(no_seal_after_commit):
    """The sealer runs in one request a second: its first batch starts the index scan just below the last
    seal's horizon, not at the index's first entry (at 4.9 million events that walk cost 250 ms)."""

    def index_pages_read() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_get_xact_blocks_fetched('audit_event_txid_id'::regclass)")
            return cursor.fetchone()[0]

    with transaction.atomic():
        for _ in range(6000):
            audit.record("test.un")
    assert sealer.seal() == 6000
    audit.record("test.deux")
    with transaction.atomic():
        before = index_pages_read()
        assert sealer.seal() == 1
        read = index_pages_read() - before
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size('audit_event_txid_id') / current_setting('block_size')::int")
        (pages,) = cursor.fetchone()
    assert pages > 20 and read <= 4, (read, pages)
