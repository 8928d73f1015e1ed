"""Counters that stop at a cap: a page's « 99+ » costs its first hundred rows, however large the file grows;
and a paginator whose count stops a few pages ahead."""

from typing import Any, cast

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import QuerySet
from django.utils.functional import cached_property

from ui.french import count, number
from ui.statements import Prepared

CAP = 99


def capped_statement(querysets: dict[str, QuerySet]) -> tuple[str, list[Any]]:
    """Each queryset's number of rows, up to ``CAP + 1`` (more than the cap: ``shown`` writes « 99+ »), in one
    statement whose columns are named after the querysets (``ui.statements.row`` runs it): each count is a subquery
    of its own, which the planner serves with its own index and stops after ``CAP + 1`` rows (``FILTER``
    clauses over one scan would read every row of their union)."""
    parts: list[str] = []
    params: list[Any] = []
    for name, queryset in querysets.items():
        try:
            sql, query_params = queryset.order_by().values("pk")[:CAP + 1].query.sql_with_params()
        except EmptyResultSet:  # a queryset that cannot match (the queue of who may take nothing): none
            parts.append(f"0 AS {connection.ops.quote_name(name)}")
            continue
        # The statement is Django's own, its values passed apart: nothing of the request is spliced in.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) capped) AS {connection.ops.quote_name(name)}")  # noqa: S608
        params += query_params
    return f"SELECT {', '.join(parts)}", params


def shown(value: int) -> str:
    """« 12 », « 99+ »."""
    return f"{CAP}+" if value > CAP else number(value)


def counted(value: int, singular: str, plural_form: str | None = None, *, none: str = "") -> str:
    """``ui.french.count`` of a capped count: « 3 tâches », « plus de 99 tâches »."""
    return f"plus de {count(CAP, singular, plural_form)}" if value > CAP else count(value, singular, plural_form,
                                                                                   none=none)


class CappedPaginator(Paginator):
    """A paginator whose count stops a few pages past the one asked for: a list's first page costs its
    first ``(1 + AHEAD) × per_page`` rows, however many the list holds (Django's counts them all). When it
    stopped, ``capped`` is true and ``num_pages`` is a floor: the pagination says « Page 1 sur plus de 5 »,
    and the next page moves the floor on. It pages a queryset, or a list whose statements are kept
    (``ui.statements.Prepared``)."""

    AHEAD = 4

    asked = 1
    capped = False

    def __init__(self, object_list: QuerySet | Prepared, per_page: int) -> None:
        super().__init__(cast(Any, object_list), per_page)  # Django's types ask for a sequence: both are sliced

    def get_page(self, number) -> Page:
        self.asked = self._asked(number)
        return super().get_page(number)

    def page(self, number) -> Page:
        self.asked = max(self.asked, self._asked(number))
        return super().page(number)

    @staticmethod
    def _asked(number) -> int:
        try:
            return max(1, int(number))
        except (TypeError, ValueError):
            return 1

    @cached_property
    def count(self) -> int:  # type: ignore[override]  # Django's is a cached_property as well
        limit = (self.asked + self.AHEAD) * self.per_page
        if isinstance(self.object_list, Prepared):
            found = self.object_list.count(limit + 1)
        else:
            found = cast(QuerySet, self.object_list).order_by()[:limit + 1].count()  # a queryset otherwise
        self.capped = found > limit
        return min(found, limit)
