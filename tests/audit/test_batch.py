"""An entry point's events written together (``audit.batched``): one INSERT at the end of its block,
in the order they were recorded, sealed and verified as events written one by one; nothing of them
when the block fails, and savepoints rolled back inside still take their events with them."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

import audit
from audit.models import Event
from tests.audit.test_recorder import ranked
from tests.audit.trail import verified
from tests.organisation.factories import UserFactory


def inserts(queries: CaptureQueriesContext) -> int:
    return sum(query["sql"].startswith('INSERT INTO "audit_event"') for query in queries.captured_queries)


def test_the_events_of_a_block_are_written_in_one_insert_in_their_order(db):
    user = UserFactory()
    with CaptureQueriesContext(connection) as queries, audit.acting(user, ip="192.0.2.7", request_id="lot"), \
            transaction.atomic(), audit.batched():
        audit.record("test.un", object_type="organisation.cell", object_id=1, departement="93", details={"n": 1})
        audit.record("test.deux", object_type="organisation.cell", object_id=2, departement="69", details={"n": 2})
        audit.record("test.garde")
        assert not Event.objects.exists()  # held until the end of the block
    assert inserts(queries) == 1
    assert ranked() == [(1, "test.un"), (2, "test.deux"), (3, "test.garde")]
    assert list(Event.objects.values_list("actor", "ip", "request_id", "object_id", "departement", "details")) == [
        (user.pk, "192.0.2.7", "lot", "1", "93", {"n": 1}), (user.pk, "192.0.2.7", "lot", "2", "69", {"n": 2}),
        (user.pk, "192.0.2.7", "lot", "", "", {})]
    if connection.vendor == "postgresql":  # one transaction: the sealer's order is the ids'
        assert len(set(Event.objects.values_list("txid", flat=True))) == 1
    verified()


def test_an_exception_after_the_events_leaves_none_of_them(db):
    with transaction.atomic():
        try:
            with audit.batched():
                audit.record("test.perdu")
                audit.record("test.annule")
                raise ValueError
        except ValueError:
            pass  # the transaction goes on: nothing of the failed block is in it
        audit.record("test.garde")
    assert ranked() == [(1, "test.garde")]


def test_a_transaction_rolled_back_after_the_block_takes_its_events(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        with audit.batched():
            audit.record("test.perdu")
        assert Event.objects.count() == 1
        raise RuntimeError
    assert not Event.objects.exists()


def test_a_savepoint_rolled_back_inside_the_block_takes_its_event_and_only_it(db):
    with CaptureQueriesContext(connection) as queries, transaction.atomic(), audit.batched():
        audit.record("test.garde")
        try:
            with transaction.atomic():  # rolled back: takes its own event, not the one waiting before it
                audit.record("test.annule")
                raise ValueError
        except ValueError:
            pass
        with transaction.atomic():  # released: its event stays, in its turn
            audit.record("test.un")
            try:
                with transaction.atomic():
                    audit.record("test.perdu")
                    raise ValueError
            except ValueError:
                pass
        audit.record("test.deux")
    assert inserts(queries) == 1
    assert ranked() == [(1, "test.garde"), (2, "test.un"), (3, "test.deux")]
    verified()


def test_a_block_inside_another_adds_to_it(db):
    with CaptureQueriesContext(connection) as queries, transaction.atomic(), audit.batched():
        audit.record("test.un")
        with audit.batched():
            audit.record("test.deux")
        assert not Event.objects.exists()
    assert inserts(queries) == 1
    assert ranked() == [(1, "test.un"), (2, "test.deux")]


@pytest.mark.django_db(transaction=True)
def test_a_block_outside_a_transaction_is_refused():
    """Held back outside a transaction, the events would be written apart from the change they record."""
    with pytest.raises(transaction.TransactionManagementError), audit.batched():
        audit.record("test.perdu")
    assert not Event.objects.exists()
