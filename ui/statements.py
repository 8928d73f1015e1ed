"""Statements that pages run at every request, compiled once per worker.

Django builds and compiles a queryset's SQL again at each request: for a page's few small queries this
costs more of the worker's time than the database takes to answer them (building the signed-in user's
query, the header's unread count, the home page's counters: several milliseconds a page,
docs/performance.md). ``compiled`` keeps each statement's SQL and parameters under a key that holds
everything the queryset was built from (a user's id, the day, what their scope says): the same key gives
the same statement, so the statement is run again without the ORM, and its rows still come from the
database at each request. Whoever builds a key leaves nothing out of it that the queryset reads.

A page's reads of one object's rows (a case page's consents, tasks, notes...) are kept so, once for every
object (``of``): compiled with stand-ins for the object's keys, which each call replaces with its own.

A list's page is kept so as well (``Prepared``, paged by ``ui.counts.CappedPaginator``): its statement with
what Django works out from it to make the rows into model instances (``instances``), and its capped count.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]  # Django's, not in its stubs

M = TypeVar("M", bound=Model)
Statement = tuple[str, tuple[Any, ...]]
Built = QuerySet | tuple[str, Sequence[Any]]  # what a statement is built from
SIZE = 4096  # statements kept per worker, the least recently used dropped first: a few hundred bytes each
# Lists kept per worker (``instances``, ``values``): their statement and their reader, about 8 KB for a page of tasks.
INSTANCES_SIZE = 1024
# What ``of`` compiles its statements with in place of the keys it binds at each call: keys no row has, within
# every backend's integer range (Django leaves a lookup on an integer out of range out of the statement).
STAND_INS = tuple(-1_987_654_321 - n for n in range(4))
KEYS = range(-2**63, 2**63)  # the keys a row may have: a key outside (from an address) matches none


class Kept:
    """What a worker keeps, under keys, up to a number of entries: the least recently used dropped first.
    A key is prefixed with the database's vendor: a statement is written in its dialect."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()  # the development server's threads share a worker's statements

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """What is kept under ``key``, else what ``make`` gives, kept."""
        key = (connection.vendor, key)
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        made = make()
        with self.lock:
            self.entries[key] = made
            if len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return made


_statements = Kept(SIZE)
_instances = Kept(INSTANCES_SIZE)


def compiled(key: Hashable, build: Callable[[], Built]) -> Statement:
    """The statement kept under ``key``, else the one ``build`` gives (a queryset, or SQL and its parameters)."""
    def make() -> Statement:
        built = build()
        sql, params = built.query.sql_with_params() if isinstance(built, QuerySet) else built
        return sql, tuple(params)

    return _statements.get(key, make)


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


class _Reader:
    """What Django's iterables work out from a compiled query to make its rows into what a queryset gives: the
    converters of the database's values (SQLite's dates...); for instances, the model's columns, the
    populators of the rows ``select_related`` joins and the annotations' columns (else, for a ``values_list()``
    query, the rows are given as tuples)."""

    def __init__(self, compiler: Any, instances: bool) -> None:
        select, klass_info = compiler.select, compiler.klass_info
        self.converters = list(compiler.get_converters([column[0] for column in select[:compiler.col_count]]).items())
        self.model = klass_info["model"] if instances else None
        if instances:
            fields = klass_info["select_fields"]
            self.columns = slice(fields[0], fields[-1] + 1)
            self.names = [column[0].target.attname for column in select[self.columns]]
            self.related = get_related_populators(klass_info, select, compiler.using)
            self.annotations = list(compiler.annotation_col_map.items())

    def __call__(self, rows: list[tuple[Any, ...]]) -> list[Any]:
        found: list[Any] = []
        for values in rows:
            row = list(values)
            for position, (converters, expression) in self.converters:
                for converter in converters:
                    row[position] = converter(row[position], expression, connection)
            if self.model is None:
                found.append(tuple(row))
                continue
            instance = self.model.from_db(connection.alias, self.names, row[self.columns])
            for populator in self.related:
                populator.populate(row, instance)
            for name, position in self.annotations:
                setattr(instance, name, row[position])
            found.append(instance)
        return found


def _bound(params: Sequence[Any], count: int) -> tuple[tuple[int, int, type], ...]:
    """Where each of the first ``count`` stand-ins (or its text) stands among a statement's parameters: (position,
    which stand-in, its type); every one must stand somewhere, or the statement would not depend on it."""
    found = tuple((position, STAND_INS.index(int(value)), type(value)) for position, value in enumerate(params)
                  if isinstance(value, int | str) and not isinstance(value, bool)
                  and str(value) in {str(stand_in) for stand_in in STAND_INS[:count]})
    if {which for _, which, _ in found} != set(range(count)):
        raise ImproperlyConfigured("Une requête préparée ne dépend pas de chacune des clés qu'on lui lie.")
    return found


def _fetched(key: Hashable, build: Callable[..., QuerySet], instances: bool, bound: Sequence[Any] = ()) -> list[Any]:
    def make() -> tuple[str, tuple[Any, ...], _Reader, tuple[tuple[int, int, type], ...]] | None:
        queryset = build(*STAND_INS[:len(bound)])
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # a queryset that cannot match: no statement to run
            return None
        return sql, tuple(params), _Reader(compiler, instances), _bound(params, len(bound))

    if any(isinstance(value, int) and value not in KEYS for value in bound):
        return []
    prepared = _instances.get(key, make)
    if prepared is None:
        return []
    sql, params, read, positions = prepared
    if positions:
        given = list(params)
        for position, which, kind in positions:
            given[position] = kind(bound[which])
        params = tuple(given)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return read(cursor.fetchall())


def instances(key: Hashable, build: Callable[[], QuerySet[M]]) -> list[M]:
    """The model instances the queryset ``build`` gives would hold (with the rows its ``select_related``
    joins and its annotations; not its ``prefetch_related``), by its statement kept under ``key``."""
    return _fetched(("instances", key), build, instances=True)


def values(key: Hashable, build: Callable[[], QuerySet]) -> list[tuple[Any, ...]]:
    """The rows of the ``values_list()`` queryset ``build`` gives, its values converted as Django converts
    them, by its statement kept under ``key``."""
    return _fetched(("values", key), build, instances=False)


def of(key: Hashable, build: Callable[..., QuerySet[M]], *bound: Any, known: dict[str, Model] | None = None) -> list[M]:
    """The instances the queryset ``build(*stand_ins)`` gives would hold, for the keys ``bound`` in place of the
    stand-ins (``STAND_INS``, one per key, in their order): its statement compiled once per worker under ``key``,
    whatever the keys; a key no row may have (outside 64 bits) finds none. ``known``: the objects every instance
    points to (its case), set on each as Django's related managers do."""
    found = _fetched(("of", key), build, instances=True, bound=bound)
    for instance in found:
        for name, value in (known or {}).items():
            setattr(instance, name, value)
    return found


def values_of(key: Hashable, build: Callable[..., QuerySet], *bound: Any) -> list[tuple[Any, ...]]:
    """The rows of the ``values_list()`` queryset ``build(*stand_ins)`` gives, for the keys ``bound`` (``of``)."""
    return _fetched(("values of", key), build, instances=False, bound=bound)


class Prepared:
    """A list to page (``ui.counts.CappedPaginator``) whose statements are kept under ``key``: each page's
    rows (``instances``) and each capped count, compiled the first time they are asked for. ``build`` gives
    the list's queryset, ordered."""

    def __init__(self, key: Hashable, build: Callable[[], QuerySet]) -> None:
        self.key, self.build = key, build

    def count(self, limit: int) -> int:
        """How many rows the list holds, up to ``limit``."""
        def counting() -> Built:
            try:
                sql, params = self.build().order_by().values("pk")[:limit].query.sql_with_params()
            except EmptyResultSet:
                return "SELECT 0 AS n", ()
            return f"SELECT COUNT(*) AS n FROM ({sql}) counted", params  # noqa: S608 (Django's own statement)

        return row(("count up to", self.key, limit), counting)["n"]

    def __getitem__(self, rows: slice) -> list[Model]:
        if rows.start == rows.stop:
            return []
        return instances(("rows", self.key, rows.start, rows.stop), lambda: self.build()[rows.start:rows.stop])
