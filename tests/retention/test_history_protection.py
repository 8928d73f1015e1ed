"""On PostgreSQL the history tables are append-only, as the trail is: the application's role may not
rewrite them, triggers refuse UPDATE, DELETE and TRUNCATE to everybody, and the purge's function
erases a case's history only once its erasure stands in the trail."""

import datetime
import uuid
import zoneinfo

import psycopg
import pytest
import time_machine
from django.apps import apps
from django.db import connection, transaction
from django.db.utils import InternalError, ProgrammingError

from cases.models import Person
from retention import history
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
    assert Person.history.filter(case_id=case.pk, last_name__startswith="Zqxfoxtrot").exists()


def test_the_purge_function_refuses_a_case_whose_erasure_is_not_in_the_trail(case):
    assert "hors de la purge" in refused("SELECT retention_erase_history(%s)", [case.pk])
    assert Person.history.filter(case_id=case.pk, last_name__startswith="Zqxfoxtrot").exists()


@pytest.mark.django_db(transaction=True)
def test_the_runtime_role_cannot_rewrite_a_history_but_may_run_the_purge_function(settings):
    with time_machine.travel(datetime.datetime(2024, 5, 2, 10, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))):
        case = unfounded_case(build_personas(), "Zqxgolf")
    role = f"cellule_runtime_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN")
    settings.DATABASE_RUNTIME_ROLE = role
    from project.database import after_migrate

    for label in ("audit", "retention"):  # what migrate sends at its end
        after_migrate(sender=apps.get_app_config(label), using="default")
        history.after_migrate(sender=apps.get_app_config(label), using="default")
    params = connection.settings_dict
    table = Person.history.model._meta.db_table
    assert "ajout seul" in refused(f"TRUNCATE {table}")  # the owner too, by the trigger
    runtime = psycopg.connect(host=params["HOST"], port=params["PORT"] or 5432, dbname=params["NAME"], user=role,
                              autocommit=True)
    try:
        for sql in (f"UPDATE {table} SET last_name = ''", f"DELETE FROM {table}"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                runtime.execute(f"SET cellule.erasing_history = 'on'; {sql}")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="hors de la purge"):
            runtime.execute("SELECT retention_erase_history(%s)", [case.pk])
        assert Person.history.filter(case_id=case.pk, last_name__startswith="Zqxgolf").exists()
    finally:
        runtime.close()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")
