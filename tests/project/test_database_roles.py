"""On PostgreSQL, the application's role cannot rewrite the trail: it owns nothing, and may only read
and append to the audit events and the history tables (docs/security.md)."""

import uuid

import psycopg
import pytest
from django.apps import apps
from django.db import connection

from cases.models import Case
from project.database import after_migrate, append_only_tables
from tests.cases.factories import CaseFactory
from tests.conftest import build_personas

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def runtime_role(settings):
    """A role like the application's: it can log in, owns nothing, gets its rights after migrate."""
    role = f"cellule_runtime_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN")
    settings.DATABASE_RUNTIME_ROLE = role
    after_migrate(sender=apps.get_app_config("audit"), using="default")  # what migrate sends at its end
    settings = connection.settings_dict
    runtime = psycopg.connect(host=settings["HOST"], port=settings["PORT"] or 5432, dbname=settings["NAME"],
                              user=role, autocommit=True)
    yield runtime
    runtime.close()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE {role}")


def refused(runtime, sql: str) -> str:
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as error:
        runtime.execute(sql)
    return str(error.value)


def test_the_runtime_role_cannot_update_delete_truncate_or_disable_the_triggers(runtime_role):
    personas = build_personas()
    case = CaseFactory(coordinator=personas.coord_a)
    changes = {"audit_event": "action = 'case.falsifie'", "audit_seal": "seq = seq + 1",
               "cases_historicalcase": "history_id = history_id"}
    for table, change in changes.items():
        assert table in append_only_tables()
        refused(runtime_role, f"UPDATE {table} SET {change}")
        refused(runtime_role, f"DELETE FROM {table}")
        refused(runtime_role, f"TRUNCATE {table}")
        assert "owner" in refused(runtime_role, f"ALTER TABLE {table} DISABLE TRIGGER USER")
    # What the application needs still works: it reads, appends to the trail, changes the cases.
    assert runtime_role.execute("SELECT count(*) FROM audit_event").fetchone()[0] > 0
    runtime_role.execute("UPDATE cases_case SET closure_note = '' WHERE id = %s", [case.pk])
    assert Case.objects.filter(pk=case.pk).exists()
