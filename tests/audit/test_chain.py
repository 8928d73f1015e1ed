"""The hash chain verifies, and tampering is reported with the event's id."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

import audit
from audit import chain
from audit.models import Event


def record_events(count: int) -> list[Event]:
    for n in range(count):
        audit.record("test.evenement", object_type="organisation.cell", object_id=n, departement="93",
                     details={"rang": n, "accents": "éàç", "liste": [1, "deux"]})
    return list(Event.objects.order_by("seq"))


def tamper(sql: str, params: list) -> None:
    """Rewrite the trail with raw SQL, as someone with the table owner's rights could."""
    # PostgreSQL refuses ALTER TABLE while deferred foreign-key checks are pending: fire them first.
    connection.check_constraints()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete")
        cursor.execute(sql, params)
        connection.check_constraints()
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete")


def verify_output(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def test_an_intact_chain_verifies(db):
    events = record_events(5)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert "5 événement(s) vérifié(s)" in verify_output()
    result = chain.verify(chain.rows(Event.objects.filter(seq__lte=5)))
    assert result.ok and result.last_hash == events[-1].hash
    # The check itself is the next event of the chain.
    assert Event.objects.get(seq=6).action == "audit.verify" and chain.verify(chain.rows(Event.objects.all())).ok


def test_a_changed_event_is_reported_with_its_id(db):
    events = record_events(5)
    tamper("UPDATE audit_event SET departement = %s WHERE id = %s", ["69", events[2].pk])
    with pytest.raises(CommandError) as error:
        verify_output()
    assert f"événement #{events[2].pk} (rang 3)" in str(error.value)
    assert "contenu modifié" in str(error.value)
    assert "après 2 événement(s)" in str(error.value)


def test_a_changed_detail_is_reported(db):
    events = record_events(3)
    tamper("UPDATE audit_event SET details = %s WHERE id = %s", ['{"rang": 99}', events[0].pk])
    with pytest.raises(CommandError, match=f"#{events[0].pk} "):
        verify_output()


def test_a_deleted_event_is_reported_as_a_gap(db):
    events = record_events(5)
    tamper("DELETE FROM audit_event WHERE id = %s", [events[1].pk])
    with pytest.raises(CommandError) as error:
        verify_output()
    assert f"#{events[2].pk} (rang 3) : rangs 2 à 2 absents" in str(error.value)


def test_a_rehashed_event_still_breaks_the_next_link(db):
    events = record_events(4)
    forged = dict(chain.rows(Event.objects.filter(pk=events[1].pk)).__next__(), action="test.falsifie")
    tamper("UPDATE audit_event SET action = %s, hash = %s WHERE id = %s",
           ["test.falsifie", chain.link(events[0].hash, forged), events[1].pk])
    with pytest.raises(CommandError, match=f"#{events[2].pk} "):
        verify_output()


def test_verification_can_start_at_an_event(db):
    events = record_events(6)
    assert "3 événement(s) vérifié(s)" in verify_output("--since", str(events[3].pk))
    with pytest.raises(CommandError, match="Aucun événement"):
        verify_output("--since", "999999")
