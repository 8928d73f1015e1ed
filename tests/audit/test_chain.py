"""The hash chain verifies, and each way of rewriting it is reported with the event's id.

The same tampering is tried on both databases: on PostgreSQL the checks run in SQL, range by range,
on SQLite in Python; both must name the same first broken link.
"""

import datetime

import pytest
from django.core.management import CommandError
from django.db import connection

from audit import chain
from audit.models import Event, Seal
from tests.audit.trail import record_events, run, sealed_rows, tamper, verified


def broken(*args) -> str:
    with pytest.raises(CommandError) as error:
        run("verify_audit", *args)
    return str(error.value)


def test_an_intact_chain_verifies(db):
    events = record_events(5)
    assert [e.seal.seq for e in events] == [1, 2, 3, 4, 5]
    assert "5 événements vérifiés" in run("verify_audit")
    result = chain.verify(sealed_rows()[:5])
    assert result.ok and result.last_hash == events[-1].seal.hash
    # The check itself is the next event of the chain.
    assert Seal.objects.get(seq=6).event.action == "audit.verify" and verified().verified == 6


def test_a_changed_column_is_reported_with_its_id(db):
    events = record_events(5)
    tamper("UPDATE audit_event SET departement = %s WHERE id = %s", ["69", events[2].pk])
    message = broken()
    assert f"événement #{events[2].pk} (rang 3)" in message and "contenu modifié" in message
    assert "après 2 événements" in message


def test_a_changed_detail_is_reported(db):
    events = record_events(3)
    tamper("UPDATE audit_event SET details = %s WHERE id = %s", ['{"rang": 99}', events[0].pk])
    assert f"#{events[0].pk} (rang 1) : contenu modifié" in broken()


def test_a_changed_address_or_time_is_reported(db):
    events = record_events(3)
    tamper("UPDATE audit_event SET ip = %s WHERE id = %s", ["192.0.2.66", events[1].pk])
    assert f"#{events[1].pk} (rang 2) : contenu modifié" in broken()
    later = connection.ops.adapt_datetimefield_value(events[1].time + datetime.timedelta(microseconds=1))
    tamper("UPDATE audit_event SET ip = NULL, time = %s WHERE id = %s", [later, events[1].pk])
    assert f"#{events[1].pk} (rang 2) : contenu modifié" in broken()


def test_a_deleted_event_and_its_seal_are_reported_as_a_gap(db):
    events = record_events(5)
    tamper("DELETE FROM audit_seal WHERE event_id = %s", [events[1].pk])
    tamper("DELETE FROM audit_event WHERE id = %s", [events[1].pk])
    assert f"#{events[2].pk} (rang 3) : rangs 2 à 2 absents" in broken()


def test_a_deleted_seal_is_reported_as_a_gap(db):
    events = record_events(4)
    tamper("DELETE FROM audit_seal WHERE event_id = %s", [events[1].pk])
    assert f"#{events[2].pk} (rang 3) : rangs 2 à 2 absents" in broken()


def test_the_last_seal_deleted_is_made_again_the_same(db):
    events = record_events(3)
    tamper("DELETE FROM audit_seal WHERE event_id = %s", [events[2].pk])
    assert verified().verified == 3
    assert Seal.objects.get(event=events[2]).hash == events[2].seal.hash


@pytest.mark.postgresql
def test_an_event_written_around_the_recorder_is_reported(db):
    """Without the inserting transaction's id, the sealer never takes it: verification names it."""
    record_events(2)
    tamper("INSERT INTO audit_event (time, actor_label, actor_role, actor_cell, request_id, action, object_type, "
           "object_id, departement, details, txid) "
           "VALUES (CURRENT_TIMESTAMP, '', '', '', '', 'test.falsifie', '', '', '93', '{}', NULL)", [])
    forged = Event.objects.get(action="test.falsifie").pk
    assert f"#{forged} : événement jamais scellé" in broken()


def test_reordered_seals_are_reported(db):
    events = record_events(4)
    tamper("UPDATE audit_seal SET seq = -1 WHERE event_id = %s", [events[1].pk])
    tamper("UPDATE audit_seal SET seq = 2 WHERE event_id = %s", [events[2].pk])
    tamper("UPDATE audit_seal SET seq = 3 WHERE event_id = %s", [events[1].pk])
    assert f"#{events[2].pk} (rang 2) : contenu modifié" in broken()


def test_a_rehashed_event_still_breaks_the_next_link(db):
    events = record_events(4)
    forged = dict(sealed_rows()[1], action="test.falsifie")
    tamper("UPDATE audit_event SET action = %s WHERE id = %s", [forged["action"], events[1].pk])
    tamper("UPDATE audit_seal SET hash = %s WHERE event_id = %s",
           [chain.chain(events[0].seal.hash, chain.digest(forged)), events[1].pk])
    assert f"#{events[2].pk} (rang 3)" in broken()


def test_verification_can_start_at_an_event(db):
    events = record_events(6)
    assert "3 événements vérifiés" in run("verify_audit", "--since", str(events[3].pk))
    with pytest.raises(CommandError, match="Aucun événement"):
        run("verify_audit", "--since", "999999")
