"""On PostgreSQL the history tables are append-only, as the trail is: the application's role may not
rewrite them, triggers refuse UPDATE, DELETE and TRUNCATE to everybody, and the purge's function
erases a case's history only once its erasure stands in the trail."""

import datetime
import zoneinfo
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import InternalError, ProgrammingError

import audit
from cases.models import Person, Relative, SearchToken
from retention import history, purge
from retention.models import Erasure
from tests.conftest import build_personas
from tests.retention.canary import unfounded_case

pytestmark = pytest.mark.postgresql


@pytest.fixture
def case(db):
    with time_machine.travel(datetime.datetime(2024, 5, 2, 10, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))):
        return unfounded_case(build_personas(), "Zqxfoxtrot")


def refused(sql: str, params=()) -> str:
    with pytest.raises((InternalError, ProgrammingError)) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(error.value)


def test_triggers_refuse_to_rewrite_a_history_even_to_the_owner(case):
    table = Person.history.model._meta.db_table
    assert table in history.history_tables()
    assert "ajout seul" in refused(f"UPDATE {table} SET last_name = 'x'")
    assert "ajout seul" in refused(f"DELETE FROM {table}")
    # A transaction that sets the purge's setting by hand gets through only with the table rights,
    # which the application's role lacks (below): the owner could drop the trigger anyway.
    assert Person.history.filter(id=case.person_id, last_name__startswith="Zqxfoxtrot").exists()


def test_the_purge_function_refuses_a_case_whose_erasure_is_not_in_the_trail(case):
    assert "hors de la purge" in refused("SELECT retention_erase_history(%s)", [case.pk])
    assert Person.history.filter(id=case.person_id, last_name__startswith="Zqxfoxtrot").exists()


def test_the_runtime_role_cannot_rewrite_a_history_but_may_run_the_purge_function(case, runtime_role):
    table = Person.history.model._meta.db_table
    connection.check_constraints()  # no deferred check pending: TRUNCATE would refuse for that reason
    assert "ajout seul" in refused(f"TRUNCATE {table}")  # the owner too, by the trigger
    with runtime_role:
        for sql in (f"UPDATE {table} SET last_name = ''", f"DELETE FROM {table}"):
            assert "permission denied" in refused(f"SET cellule.erasing_history = 'on'; {sql}")
        assert "hors de la purge" in refused("SELECT retention_erase_history(%s)", [case.pk])
    assert Person.history.filter(id=case.person_id, last_name__startswith="Zqxfoxtrot").exists()


ERASE_EVENT = ("INSERT INTO audit_event (time, actor_label, actor_role, actor_cell, request_id, action, object_type, "
               "object_id, departement, details) VALUES (now(), 'purge', '', '', '', 'retention.erase', 'cases.case', "
               "%s, '93', '{}')")
ERASURE = "INSERT INTO retention_erasure (case_id, erased_at, rule) VALUES (%s, now(), 'not_relevant')"


def test_the_runtime_role_cannot_erase_the_history_of_a_live_case(case, runtime_role):
    with runtime_role:
        with connection.cursor() as cursor:  # the purge's trace, written by hand
            cursor.execute(ERASE_EVENT, [str(case.pk)])
        assert "hors de la purge" in refused("SELECT retention_erase_history(%s)", [case.pk])
        with connection.cursor() as cursor:  # and the case's erasure mark: its personal data are still there
            cursor.execute(ERASURE, [case.pk])
        assert "hors de la purge" in refused("SELECT retention_erase_history(%s)", [case.pk])
    assert Person.history.filter(id=case.person_id, last_name__startswith="Zqxfoxtrot").exists()


@pytest.mark.django_db(transaction=True)
def test_a_trace_of_an_earlier_transaction_opens_nothing(case, runtime_role):
    """The purge writes its trace and erases the history in one transaction: a trace committed before,
    by anyone, is no purge's, even once the case's live rows are emptied."""
    with runtime_role:
        with transaction.atomic():
            purge.erase_live(case)
            Erasure.objects.create(case=case, rule=Erasure.Rule.NOT_RELEVANT)
            audit.record("retention.erase", obj=case)
        assert "hors de la purge" in refused("SELECT retention_erase_history(%s)", [case.pk])
    assert Person.history.filter(id=case.person_id, last_name__startswith="Zqxfoxtrot").exists()


def test_tables_of_the_session_do_not_stand_for_the_trail_or_the_case(case, runtime_role):
    """Temporary tables come first in a function's search path unless it says otherwise: copies of the
    trail, of the erasure marks and of the case's tables, made to say "erased", must not be read."""
    tables = dict.fromkeys(["audit_event", "retention_erasure", *(item.model._meta.db_table for item in purge.linked()),
                            Person._meta.db_table, SearchToken._meta.db_table, Relative._meta.db_table])  # each once
    with runtime_role:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"CREATE TEMPORARY TABLE {table} (LIKE public.{table} INCLUDING ALL)")
            cursor.execute(ERASE_EVENT, [str(case.pk)])
            cursor.execute(ERASURE, [case.pk])
        assert "hors de la purge" in refused("SELECT retention_erase_history(%s)", [case.pk])
    assert Person.history.filter(id=case.person_id, last_name__startswith="Zqxfoxtrot").exists()


def test_the_purge_erases_the_history_as_the_runtime_role(case, runtime_role):
    with time_machine.travel(datetime.datetime(2025, 6, 2, 10, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))), \
            runtime_role:
        call_command("purge_expired", stdout=(out := StringIO()))
    assert "1 signalement effacé" in out.getvalue()
    assert not Person.history.filter(id=case.person_id, last_name__startswith="Zqxfoxtrot").exists()
    assert Person.history.filter(id=case.person_id).exists()  # the rows stay, emptied
