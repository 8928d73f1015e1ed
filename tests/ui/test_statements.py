"""Lists whose statements a worker keeps (``ui.statements.instances``, ``Prepared``): the same instances as the
queryset gives, with what it joins, read afresh at each request, the ORM asked only the first time a key is."""

import datetime
import itertools
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import F, Min, Value
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from audit.models import Event
from cases.models import Case
from tests.cases.factories import CaseFactory
from ui import statements
from ui.counts import CappedPaginator

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

keys = itertools.count()  # a key of each test's own: what a worker keeps outlives a test's data


def cases():
    return (Case.objects.filter(departement__code="93").select_related("person", "departement__cell", "referent")
            .annotate(twice=F("number") * Value(2)).order_by("-number"))


def test_the_instances_are_the_queryset_s_with_what_it_joins(personas):
    made = [CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True) for _ in range(3)]
    key = next(keys)
    expected = list(cases())
    found = statements.instances(key, lambda: cases())
    assert found == expected == sorted(made, key=lambda case: -case.number)
    with CaptureQueriesContext(connection) as queries:
        shown = [(case.person.last_name, case.departement.cell.installed_on, case.referent.username, case.twice,
                  case.received_on) for case in found]
    assert not queries.captured_queries  # read with the case, as select_related reads them
    assert shown == [(case.person.last_name, case.departement.cell.installed_on, case.referent.username, case.twice,
                      case.received_on) for case in expected]
    assert isinstance(shown[0][4], datetime.date)  # the database's values converted (SQLite gives text)


def test_a_kept_statement_reads_the_rows_afresh_without_the_orm(personas):
    key = next(keys)
    first = CaseFactory(coordinator=personas.coord_a)
    assert statements.instances(key, lambda: cases()) == [first]
    second = CaseFactory(coordinator=personas.coord_a)
    with mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("compiled again")):
        assert statements.instances(key, lambda: cases()) == [second, first]


def test_values_are_converted_as_the_orm_converts_them(personas):
    case = CaseFactory(coordinator=personas.coord_a)

    def earliest():
        return Case.objects.filter(pk=case.pk).values("departement").annotate(first=Min("received_on")).values_list(
            "departement", "first")
    assert statements.values(next(keys), earliest) == list(earliest()) == [(case.departement_id, case.received_on)]


def test_a_queryset_that_cannot_match_reads_nothing(personas):
    with CaptureQueriesContext(connection) as queries:
        assert statements.instances(next(keys), lambda: Case.objects.filter(pk__in=[])) == []
        assert statements.values(next(keys), lambda: Case.objects.filter(pk__in=[]).values_list("pk")) == []
    assert not queries.captured_queries


def test_a_prepared_list_is_paged_and_counted_up_to_its_cap(personas):
    made = [CaseFactory(coordinator=personas.coord_a) for _ in range(7)]
    listed = statements.Prepared(next(keys), lambda: cases())
    paginator = CappedPaginator(listed, 2)
    paginator.AHEAD = 1  # two pages counted: 4 rows, and one more to know there are more
    page = paginator.get_page(1)
    assert (paginator.count, paginator.num_pages, paginator.capped) == (4, 2, True)
    assert list(page) == [made[6], made[5]]
    last = CappedPaginator(listed, 2).get_page(4)
    assert (last.paginator.count, last.paginator.capped, list(last)) == (7, False, [made[0]])
    empty = CappedPaginator(statements.Prepared(next(keys), lambda: Case.objects.none()), 2)
    assert (empty.count, list(empty.get_page(1))) == (0, [])


def test_a_worker_keeps_its_latest_entries_only():
    kept = statements.Kept(2)
    made = []
    for key in ("a", "b", "a", "c"):
        kept.get(key, lambda key=key: made.append(key) or key.upper())
    assert made == ["a", "b", "c"]  # "a" asked again is kept; "c" drops "b", the least recently used
    assert kept.get("a", lambda: "made again") == "A" and kept.get("b", lambda: "made again") == "made again"


def test_a_statement_of_one_object_is_compiled_once_for_every_object(personas):
    """``of``: compiled with stand-ins for the keys, each call's own keys bound, a text key as text."""
    first, second = CaseFactory(coordinator=personas.coord_a), CaseFactory(coordinator=personas.coord_b)
    key = next(keys)

    def of_person(person, departement):
        return Case.objects.filter(person_id=person, departement_id=departement).select_related("person")
    assert statements.of(key, of_person, first.person_id, first.departement_id, known={"referent": None}) == [first]
    with mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("compiled again")):
        found = statements.of(key, of_person, second.person_id, second.departement_id, known={"referent": None})
        assert statements.of(key, of_person, first.person_id, second.departement_id) == []
    assert found == [second] and found[0].person.last_name == second.person.last_name and found[0].referent is None
    events = next(keys)

    def created(pk):
        return Event.objects.filter(object_type="cases.case", object_id=str(pk)).values_list("object_id")
    assert statements.values_of(events, created, first.pk) == list(created(first.pk))
    assert statements.values_of(events, created, second.pk) == list(created(second.pk))


def test_a_statement_that_does_not_depend_on_a_key_it_is_given_is_refused(personas):
    """A key bound where the statement has no stand-in would read the same rows for every object."""
    with pytest.raises(ImproperlyConfigured):
        statements.of(next(keys), lambda pk: Case.objects.filter(departement__code="93"), 1)
    with pytest.raises(ImproperlyConfigured):
        statements.of(next(keys), lambda pk, other: Case.objects.filter(pk=pk), 1, 2)


def test_a_key_no_row_may_have_finds_nothing_without_asking(personas):
    """A key beyond 64 bits (an id from an address) would be refused by the database: no row has it."""
    key = next(keys)
    with CaptureQueriesContext(connection) as queries:
        assert statements.of(key, lambda pk: Case.objects.filter(pk=pk), 2**63) == []
        assert statements.of(key, lambda pk: Case.objects.filter(pk=pk), -2**63 - 1) == []
    assert not queries.captured_queries
    case = CaseFactory(coordinator=personas.coord_a)
    assert statements.of(key, lambda pk: Case.objects.filter(pk=pk), case.pk) == [case]
