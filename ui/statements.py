"""Statements that pages run at every request, compiled once per worker.

Django builds and compiles a queryset's SQL again at each request: for a page's few small queries this
costs more of the worker's time than the database takes to answer them (building the signed-in user's
query, the header's unread count, the home page's counters: several milliseconds a page,
docs/performance.md). ``compiled`` keeps each statement's SQL and parameters under a key that holds
everything the queryset was built from (a user's id, the day, what their scope says): the same key gives
the same statement, so the statement is run again without the ORM, and its rows still come from the
database at each request. Whoever builds a key leaves nothing out of it that the queryset reads."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.db import connection
from django.db.models import QuerySet

Statement = tuple[str, tuple[Any, ...]]
Built = QuerySet | tuple[str, Sequence[Any]]  # what a statement is built from
SIZE = 4096  # statements kept per worker, the least recently used dropped first: a few hundred bytes each

_statements: OrderedDict[Hashable, Statement] = OrderedDict()
_lock = threading.Lock()  # the development server's threads share a worker's statements


def compiled(key: Hashable, build: Callable[[], Built]) -> Statement:
    """The statement kept under ``key``, else the one ``build`` gives (a queryset, or SQL and its parameters),
    kept. ``key`` is prefixed with the database's vendor: a statement is written in its dialect."""
    key = (connection.vendor, key)
    with _lock:
        found = _statements.get(key)
        if found is not None:
            _statements.move_to_end(key)
            return found
    built = build()
    sql, params = built.query.sql_with_params() if isinstance(built, QuerySet) else built
    statement = (sql, tuple(params))
    with _lock:
        _statements[key] = statement
        if len(_statements) > SIZE:
            _statements.popitem(last=False)
    return statement


def row(key: Hashable, build: Callable[[], Built]) -> dict[str, Any]:
    """The first row of the statement kept under ``key``, by its columns' names (empty: no row)."""
    sql, params = compiled(key, build)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
        return dict(zip([column[0] for column in cursor.description], found, strict=True)) if found else {}


def rows(key: Hashable, build: Callable[[], Built]) -> list[tuple[Any, ...]]:
    """The rows of the statement kept under ``key``, as the database driver gives them."""
    sql, params = compiled(key, build)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def count(key: Hashable, build: Callable[[], QuerySet]) -> int:
    """How many rows the queryset ``build`` gives holds, by the statement kept under ``key``."""
    def counting() -> Built:
        sql, params = build().order_by().values("pk").query.sql_with_params()
        return f"SELECT COUNT(*) AS n FROM ({sql}) counted", params  # noqa: S608 (Django's own statement)

    return row(("count", key), counting)["n"]
