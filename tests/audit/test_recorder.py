"""Recording events in the caller's transaction, with the request's context."""

import pytest
from django.db import transaction

import audit
from audit import chain, sealer
from audit.models import Event, ImmutableEvent, Seal
from tests.audit.trail import verified
from tests.organisation.factories import UserFactory


def test_an_event_is_written_with_its_context(db):
    user = UserFactory()
    with audit.acting(user, ip="192.0.2.7", request_id="abc123"):
        audit.record("membership.create", object_type="organisation.membership", object_id=7, departement="93",
                     details={"raison": "test"})
    sealer.seal()
    event = Event.objects.select_related("seal").get()
    assert (event.seal.seq, event.actor, event.actor_label, event.ip, event.request_id) == (
        1, user, user.username, "192.0.2.7", "abc123"
    )
    assert (event.action, event.object_type, event.object_id, event.departement) == (
        "membership.create", "organisation.membership", "7", "93"
    )
    assert event.details == {"raison": "test"}
    assert event.seal.hash == chain.chain(chain.GENESIS, chain.digest(event.__dict__))


def test_events_are_written_at_once_and_sealed_in_their_order(db):
    with transaction.atomic():
        audit.record("test.un")
        with transaction.atomic():
            audit.record("test.deux")
        assert Event.objects.count() == 2 and not Seal.objects.exists()
    assert ranked() == [(1, "test.un"), (2, "test.deux")]


def ranked() -> list[tuple[int, str]]:
    sealer.seal()
    return list(Seal.objects.order_by("seq").values_list("seq", "event__action"))


def test_a_failed_change_leaves_no_event(db):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit.record("test.perdu")
        1 / 0  # noqa: B018
    assert not Event.objects.exists()


def test_an_inner_block_rolled_back_takes_its_events_with_it(db):
    with transaction.atomic():
        audit.record("test.garde")
        with pytest.raises(ValueError), transaction.atomic():
            audit.record("test.annule")
            raise ValueError
    assert list(Event.objects.values_list("action", flat=True)) == ["test.garde"]


def test_an_event_recorded_in_a_plain_transaction_rolls_back_with_it(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record("test.dans_une_transaction")
        assert Event.objects.count() == 1
        raise RuntimeError
    assert not Event.objects.exists()


def test_recorded_events_can_be_neither_changed_nor_deleted(db):
    audit.record("test.immuable")
    event = Event.objects.get()
    event.action = "test.falsifie"
    with pytest.raises(ImmutableEvent):
        event.save()
    with pytest.raises(ImmutableEvent):
        event.delete()
    with pytest.raises(ImmutableEvent):
        Event.objects.update(action="test.falsifie")
    with pytest.raises(ImmutableEvent):
        Event.objects.all().delete()
    with pytest.raises(ImmutableEvent):
        Event(time=event.time, action="test.direct").save()
    with pytest.raises(ImmutableEvent):
        Seal.objects.all().delete()
    assert Event.objects.get().action == "test.immuable"


def test_an_event_of_a_savepoint_rolled_back_inside_the_block_goes_with_it(db):
    """A savepoint rolled back, its exception caught: no ghost event for a change that never happened."""
    with transaction.atomic():
        audit.record("test.garde")
        try:
            with transaction.atomic():
                audit.record("test.annule")
                raise ValueError
        except ValueError:
            pass
        with transaction.atomic():  # a savepoint that commits keeps its event
            audit.record("test.un")
            try:
                with transaction.atomic():
                    audit.record("test.perdu")
                    raise ValueError
            except ValueError:
                pass
        audit.record("test.deux")
    assert ranked() == [(1, "test.garde"), (2, "test.un"), (3, "test.deux")]
    verified()


def test_a_block_whose_every_event_rolled_back_writes_nothing(db):
    with transaction.atomic():
        try:
            with transaction.atomic():
                audit.record("test.annule")
                raise ValueError
        except ValueError:
            pass
    assert not Event.objects.exists()
    audit.record("test.un")
    assert ranked() == [(1, "test.un")]
