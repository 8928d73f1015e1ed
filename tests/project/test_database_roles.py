"""On PostgreSQL, the application's role cannot rewrite the trail: it owns nothing, may only read and
append to the audit events and the history tables, only read the seals (docs/security.md)."""

import psycopg
import pytest

from cases.models import Case
from project.database import append_only_tables
from tests.cases.factories import CaseFactory
from tests.conftest import build_personas

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def refused(runtime, sql: str) -> str:
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as error:
        runtime.execute(sql)
    return str(error.value)


def test_the_runtime_role_cannot_update_delete_truncate_or_disable_the_triggers(runtime_role):
    personas = build_personas()
    case = CaseFactory(coordinator=personas.coord_a)
    changes = {"audit_event": "action = 'case.falsifie'", "audit_seal": "seq = seq + 1",
               "cases_historicalcase": "history_id = history_id"}
    with runtime_role.connect() as runtime:
        for table, change in changes.items():
            assert table in append_only_tables()
            refused(runtime, f"UPDATE {table} SET {change}")
            refused(runtime, f"DELETE FROM {table}")
            refused(runtime, f"TRUNCATE {table}")
            assert "owner" in refused(runtime, f"ALTER TABLE {table} DISABLE TRIGGER USER")
        # Seals are written by the database's sealing function only (audit.sealer).
        refused(runtime, "INSERT INTO audit_seal (event_id, seq, hash) SELECT id, -id, '' FROM audit_event")
        # What the application needs still works: it reads, appends to the trail, changes the cases.
        assert runtime.execute("SELECT count(*) FROM audit_event").fetchone()[0] > 0
        runtime.execute("UPDATE cases_case SET closure_note = '' WHERE id = %s", [case.pk])
    assert Case.objects.filter(pk=case.pk).exists()
