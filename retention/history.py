"""The history tables (django-simple-history) are protected as the audit trail is, yet erasable by
the purge, and by the purge only.

On PostgreSQL the application's role may only read and append to them (``project.database``), and
triggers refuse UPDATE, DELETE and TRUNCATE to everybody, as on the trail. The purge erases a case's
history rows through one function, ``retention_erase_history(case)``, owned by the tables' owner
(``SECURITY DEFINER``) and the only one allowed through the triggers: it lifts them for its own
transaction (a transaction-local setting, which the application's role could set too, but it has no
right to UPDATE or DELETE these tables anyway). It erases only the history of a case the purge has
just erased, as the database itself sees it, not as a row anyone could insert says: the case bears
its erasure mark (``retention.Erasure``), its live rows hold nothing the purge erases any more
(``remnants``), and its ``retention.erase`` event was written by the current transaction (whose id
the database writes into each event, ``audit/migrations/0006``). So the history of a live case is
never erased, and a history is only ever erased together with its case's data and a permanent,
chained event that says so. Its search path puts the session's temporary tables last, so that none
stands for the trail or the case. The function's body is written from ``retention.purge.linked()``
after each ``migrate``, with the triggers of every history table, new ones included. On SQLite, which
has no roles, the same statements run directly.
"""

from typing import cast

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.models import Field

from cases.models import Case, Person, Relative, SearchToken
from retention.models import Erasure
from retention.purge import PERSON, histories, linked

SETTING = "cellule.erasing_history"

TRIGGER_FUNCTION = f"""
CREATE OR REPLACE FUNCTION history_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'TRUNCATE' AND current_setting('{SETTING}', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'L''historique est en ajout seul : % refusé sur %.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""

ERASE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION retention_erase_history(target bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT EXISTS ({{erased}})
       OR NOT EXISTS (SELECT 1 FROM audit_event WHERE action = 'retention.erase' AND object_type = 'cases.case'
                      AND object_id = target::text AND txid = pg_current_xact_id()::text::bigint)
       OR {{remnants}} THEN
        RAISE EXCEPTION 'Historique du signalement % : effacement refusé hors de la purge.', target
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM set_config('{SETTING}', 'on', true);
    {{statements}}
    PERFORM set_config('{SETTING}', 'off', true);
END;
$$
"""  # noqa: S608 (the statements and conditions come from the models' metadata, quoted)


def statements(connection, case: str) -> list[str]:
    """The SQL that erases the history rows of the case whose id ``case`` stands for."""
    quote = connection.ops.quote_name
    result = []
    for item in histories():
        history = item.model.history.model  # type: ignore[attr-defined]  # simple_history's manager
        table = quote(history._meta.db_table)
        where = _where(connection, history, item.path, case)
        if item.delete:
            result.append(f"DELETE FROM {table} WHERE {where}")  # noqa: S608 (names from the models, quoted)
        elif item.texts(history):
            assignments = ", ".join(f"{quote(history._meta.get_field(name).column)} = ''"
                                    for name in item.texts(history))
            result.append(f"UPDATE {table} SET {assignments} WHERE {where}")  # noqa: S608
    # The young person's history goes with their last case; the year of birth stays, as on the live row.
    history = Person.history.model  # type: ignore[attr-defined]  # simple_history's manager
    assignments = ", ".join([f"{quote(history._meta.get_field(name).column)} = ''" for name in PERSON.texts(history)]
                            + [f"birth_date = {_year_of_birth(connection)}"])
    result.append(f"UPDATE {quote(history._meta.db_table)} SET {assignments} "  # noqa: S608 (the models' names)
                  f"WHERE {_person_going(connection, case)}")
    # The family's relatives' history goes with the last case about its young people.
    history = Relative.history.model  # type: ignore[attr-defined]  # simple_history's manager
    result.append(f"DELETE FROM {quote(history._meta.db_table)} "  # noqa: S608 (the models' names)
                  f"WHERE {_family_going(connection, case, history._meta.db_table)}")
    return result


def _person_going(connection, case: str) -> str:
    """A condition on a person table's ``id``: the young person of the case ``case`` stands for and the
    records merged into theirs, when every other case about them is erased (``retention.purge.last_case``)."""
    quote = connection.ops.quote_name
    cases, erasures = quote(Case._meta.db_table), quote(Erasure._meta.db_table)
    person_of = quote(cast(Field, Case._meta.get_field("person")).column)
    erased = quote(cast(Field, Erasure._meta.get_field("case")).column)
    person = f"(SELECT {person_of} FROM {cases} WHERE id = {case})"  # noqa: S608 (the models' names, quoted)
    return (f"id IN {_records(connection, person, 'id')} AND NOT EXISTS (SELECT 1 FROM {cases} other "  # noqa: S608
            f"WHERE other.{person_of} = {person} AND other.id <> {case} "
            f"AND NOT EXISTS (SELECT 1 FROM {erasures} e WHERE e.{erased} = other.id))")


def _records(connection, person: str, column: str) -> str:
    """The ``column`` of the record ``person`` stands for and of those merged into it, as a subquery."""
    quote = connection.ops.quote_name
    merged = quote(cast(Field, Person._meta.get_field("merged_into")).column)
    return (f"(SELECT p.{quote(column)} FROM {quote(Person._meta.db_table)} p "  # noqa: S608 (the models' names)
            f"WHERE p.id = {person} OR p.{merged} = {person})")


def _family_going(connection, case: str, table: str) -> str:
    """A condition on the rows of ``table``, a relative table: the family of the young person of the case
    ``case`` stands for (or of a record merged into theirs), when every other case about the family's
    young people is erased (``retention.purge.families_going``)."""
    quote = connection.ops.quote_name
    cases, people, erasures = quote(Case._meta.db_table), quote(Person._meta.db_table), quote(Erasure._meta.db_table)
    person_of = quote(cast(Field, Case._meta.get_field("person")).column)
    family_of = quote(cast(Field, Person._meta.get_field("family")).column)
    erased = quote(cast(Field, Erasure._meta.get_field("case")).column)
    family = f"{quote(table)}.{quote(cast(Field, Relative._meta.get_field('family')).column)}"
    person = f"(SELECT {person_of} FROM {cases} WHERE id = {case})"  # noqa: S608 (the models' names, quoted)
    families = _records(connection, person, cast(Field, Person._meta.get_field("family")).column)
    return (f"{family} IN {families} AND NOT EXISTS (SELECT 1 FROM {cases} other "  # noqa: S608 (the models')
            f"JOIN {people} op ON op.id = other.{person_of} "
            f"WHERE op.{family_of} = {family} AND other.id <> {case} "
            f"AND NOT EXISTS (SELECT 1 FROM {erasures} e WHERE e.{erased} = other.id))")


def remnants(connection, case: str) -> str:
    """A condition true while the live rows of the case ``case`` stands for still hold something that
    ``retention.purge.erase_live`` erases: a row it deletes, a text it empties, a full date of birth."""
    quote = connection.ops.quote_name
    found = []
    for item in linked():
        where = _where(connection, item.model, item.path, case, through=lambda model: model)
        kept = [f"coalesce({quote(cast(Field, item.model._meta.get_field(name)).column)}, '') <> ''"
                for name in item.texts()]
        if item.delete or kept:
            condition = "" if item.delete else f" AND ({' OR '.join(kept)})"
            found.append(f"EXISTS (SELECT 1 FROM {quote(item.model._meta.db_table)} "  # noqa: S608 (the models')
                         f"WHERE {where}{condition})")
    kept = [f"{quote(name)} <> ''" for name in PERSON.texts()] + [f"birth_date <> {_year_of_birth(connection)}"]
    found.append(f"EXISTS (SELECT 1 FROM {quote(Person._meta.db_table)} "  # noqa: S608 (the models' names)
                 f"WHERE {_person_going(connection, case)} AND ({' OR '.join(kept)}))")
    found.append(f"EXISTS (SELECT 1 FROM {quote(SearchToken._meta.db_table)} WHERE "  # noqa: S608 (the models')
                 f"{quote(cast(Field, SearchToken._meta.get_field('person')).column)} IN "
                 f"(SELECT id FROM {quote(Person._meta.db_table)} WHERE {_person_going(connection, case)}))")
    found.append(f"EXISTS (SELECT 1 FROM {quote(Relative._meta.db_table)} "  # noqa: S608 (the models' names)
                 f"WHERE {_family_going(connection, case, Relative._meta.db_table)})")
    return "(" + " OR ".join(found) + ")"


def _year_of_birth(connection) -> str:
    return ("date_trunc('year', birth_date)::date" if connection.vendor == "postgresql"
            else "date(birth_date, 'start of year')")


def _history_of(model):
    # A deleted live row stays in its history: a parent's rows are found there when it keeps one.
    return model.history.model if hasattr(model, "history") else model


def _where(connection, table_model, path: str, case: str, through=_history_of) -> str:
    """The condition on ``table_model``'s rows that belong to the case ``path`` leads to, through the
    tables ``through`` gives for the models on the way: their histories by default (``note__case``:
    the notes' history holds the deleted notes), the live tables themselves for ``remnants``."""
    quote = connection.ops.quote_name
    if path == "pk":
        return f"id = {case}"
    name, _, rest = path.partition("__")
    column = quote(table_model._meta.get_field(name).column)
    if not rest:
        return f"{column} = {case}"
    parent = through(table_model._meta.get_field(name).related_model)
    inner = _where(connection, parent, rest, case, through)
    return f"{column} IN (SELECT id FROM {quote(parent._meta.db_table)} WHERE {inner})"  # noqa: S608


def erase_history(case_id: int, using: str = "default") -> None:
    """Erase the case's history rows, in the caller's transaction, after its live rows, its erasure mark
    and its ``retention.erase`` event."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT retention_erase_history(%s)", [case_id])
        else:
            for sql in statements(connection, "%s"):
                cursor.execute(sql, [case_id] * sql.count("%s"))


def history_tables() -> list[str]:
    """Every history table (django-simple-history's ``Historical*`` models), as
    ``project.database.append_only_tables`` names them for the application role's rights."""
    return sorted(m._meta.db_table for m in apps.get_models() if m.__name__.startswith("Historical"))


def protect(connection) -> None:
    """Install the triggers on every history table and the purge's function; idempotent."""
    quote = connection.ops.quote_name
    body = ";\n    ".join(statements(connection, "target")) + ";"
    erasure = Erasure._meta
    erased = (f"SELECT 1 FROM {quote(erasure.db_table)} "  # noqa: S608 (the model's names, quoted)
              f"WHERE {quote(erasure.get_field('case').column)} = target")
    with connection.cursor() as cursor:
        cursor.execute(TRIGGER_FUNCTION)
        for table in history_tables():
            for name, when in (("history_no_update_delete", "BEFORE UPDATE OR DELETE ON {t} FOR EACH ROW"),
                               ("history_no_truncate", "BEFORE TRUNCATE ON {t} FOR EACH STATEMENT")):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {quote(table)}")
                cursor.execute(f"CREATE TRIGGER {name} {when.format(t=quote(table))} "
                               f"EXECUTE FUNCTION history_append_only()")
        cursor.execute(ERASE_FUNCTION.replace("{statements}", body).replace("{erased}", erased)
                       .replace("{remnants}", remnants(connection, "target")))
        cursor.execute("REVOKE ALL ON FUNCTION retention_erase_history(bigint) FROM PUBLIC")
        role = settings.DATABASE_RUNTIME_ROLE
        if role and role != connection.settings_dict["USER"]:
            cursor.execute(f"GRANT EXECUTE ON FUNCTION retention_erase_history(bigint) TO {quote(role)}")


def after_migrate(sender, using: str, **kwargs) -> None:
    """After ``migrate`` on PostgreSQL, by the tables' owner: the histories' protection, up to date."""
    connection = connections[using]
    if sender.label == "retention" and connection.vendor == "postgresql":
        protect(connection)
