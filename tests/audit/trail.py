"""Helpers of the audit tests: recording, sealing, reading back and rewriting the trail."""

import datetime
from io import StringIO

import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

import audit
from audit import chain, sealer, verification
from audit.models import Event, Seal


def record_events(count: int) -> list[Event]:
    """``count`` events, sealed; returned in rank order."""
    for n in range(count):
        audit.record("test.evenement", object_type="organisation.cell", object_id=n, departement="93",
                     details={"rang": n, "accents": "éàç", "liste": [1, "deux"]})
    sealer.seal()
    return list(Event.objects.filter(seal__isnull=False).select_related("seal").order_by("seal__seq"))


def sealed_rows() -> list[dict]:
    sealer.seal()
    return list(chain.rows(Seal.objects.all()))


def verified() -> chain.Verification:
    """The whole trail verified (sealed first), as ``verify_audit`` does it on this database."""
    result = verification.verify()
    assert result.ok, result.broken
    return result


def tamper(sql: str, params: list) -> None:
    """Rewrite the trail with raw SQL, as someone with the tables owner's rights could."""
    # PostgreSQL refuses ALTER TABLE while deferred foreign-key checks are pending: fire them first.
    connection.check_constraints()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_event DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_seal DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_treenode DISABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_event ENABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_seal ENABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_treenode ENABLE TRIGGER USER")


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def copy_event(event: Event, time=None) -> None:
    """Insert a copy of ``event`` (at ``time``, or at its own), as whoever may append to the trail
    could: the application's database role, or anyone with the SQLite file."""
    columns = ", ".join(field.column for field in Event._meta.concrete_fields if field.attname not in ("id", "txid",
                                                                                                        "time"))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO audit_event (time, {columns}) SELECT %s, {columns} "  # noqa: S608 (the model's)
                       "FROM audit_event WHERE id = %s",
                       [connection.ops.adapt_datetimefield_value(time or event.time), event.pk])


def minute_over() -> None:
    """The counts of this minute (``audit.tallies``) written, as the sealer's service does once it is over."""
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1)):
        run("seal_audit")
