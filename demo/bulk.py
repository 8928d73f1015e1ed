"""Writing many rows at once, as the national data set needs (``demo.national``): COPY on
PostgreSQL, one ``executemany`` per table on SQLite, ids given by the writer so that rows can point at
each other before they are written, and the tables' sequences moved past them at the end.

Rows are written as the database stores them: the values are the ones the models would save, so
that what the application reads back is what it would have written itself (a JSON field gets its
JSON text, times are aware on PostgreSQL and naive UTC on SQLite, as Django stores them there).
"""

import datetime
import json
from collections import defaultdict
from typing import cast

from django.core.management.color import no_style
from django.db import connection, models


class Table:
    """The columns of one model's own table (a child model's, for multi-table inheritance)."""

    def __init__(self, model: type[models.Model], skip: tuple[str, ...] = ()) -> None:
        self.model = model
        self.fields = [f for f in model._meta.local_concrete_fields if f.attname not in skip]
        self.columns = [f.attname for f in self.fields]
        self.name = model._meta.db_table
        self.adapters = {i: adapter for i, f in enumerate(self.fields) if (adapter := _adapter(f)) is not None}

    def row(self, values: dict) -> tuple:
        """The row of ``values`` (by attribute name; the fields left out take their default)."""
        row = [values[name] if name in values else _default(field)
               for name, field in zip(self.columns, self.fields, strict=True)]
        for i, adapter in self.adapters.items():
            if row[i] is not None:
                row[i] = adapter(row[i])
        return tuple(row)


def _default(field):
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    return "" if isinstance(field, models.CharField | models.TextField) else None


def _adapter(field):
    if isinstance(field, models.JSONField) or type(field).__name__ == "JSONField":
        return lambda value: json.dumps(value, ensure_ascii=False)
    if connection.vendor == "postgresql":
        return None
    if isinstance(field, models.DateTimeField):  # naive UTC text, as Django's SQLite backend stores it
        return lambda value: value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(field, models.DateField):
        return lambda value: value.isoformat()
    return None


class Writer:
    """Buffers rows per table and writes them in the order the tables were first given rows to."""

    def __init__(self) -> None:
        self.rows: dict[Table, list[tuple]] = defaultdict(list)
        self.next_ids: dict[type, int] = {}
        self.models: set[type] = set()

    def new_id(self, model: type[models.Model]) -> int:
        """A fresh primary key for ``model`` (for a child model, its parent's: they share it)."""
        root = model
        while root._meta.pk.is_relation:
            root = cast(type[models.Model], root._meta.pk.related_model)
        if root not in self.next_ids:
            self.next_ids[root] = (root._default_manager.aggregate(top=models.Max("pk"))["top"] or 0) + 1
        self.models.add(root)
        self.next_ids[root] += 1
        return self.next_ids[root] - 1

    def add(self, table: Table, values: dict) -> None:
        self.rows[table].append(table.row(values))

    def flush(self) -> int:
        written = 0
        with connection.cursor() as cursor:
            for table, rows in self.rows.items():
                if rows:
                    _write(cursor, table, rows)
                    written += len(rows)
        self.rows.clear()
        return written

    def finish(self) -> None:
        """Move the sequences of the tables whose ids the writer gave past the last one."""
        self.flush()
        statements = connection.ops.sequence_reset_sql(no_style(), sorted(self.models, key=str))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _write(cursor, table: Table, rows: list[tuple]) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in (f.column for f in table.fields))
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        placeholders = ", ".join(["%s"] * len(table.fields))
        cursor.executemany(f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608
