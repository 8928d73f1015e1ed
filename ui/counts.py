"""Counters that stop at a cap: a page's « 99+ » costs its first hundred rows, however large the file grows."""

from typing import Any

from django.db import connection
from django.db.models import QuerySet

from ui.french import count, number

CAP = 99


def capped_counts(querysets: dict[str, QuerySet]) -> dict[str, int]:
    """Each queryset's number of rows, up to ``CAP + 1`` (more than the cap: ``shown`` writes « 99+ »), in
    one statement: each count is a subquery of its own, which the planner serves with its own index and
    stops after ``CAP + 1`` rows (``FILTER`` clauses over one scan would read every row of their union)."""
    parts: list[str] = []
    params: list[Any] = []
    for name, queryset in querysets.items():
        sql, query_params = queryset.order_by().values("pk")[:CAP + 1].query.sql_with_params()
        # The statement is Django's own, its values passed apart: nothing of the request is spliced in.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) capped) AS {connection.ops.quote_name(name)}")  # noqa: S608
        params += query_params
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        return dict(zip(querysets, cursor.fetchone(), strict=True))


def shown(value: int) -> str:
    """« 12 », « 99+ »."""
    return f"{CAP}+" if value > CAP else number(value)


def counted(value: int, singular: str, plural_form: str | None = None, *, none: str = "") -> str:
    """``ui.french.count`` of a capped count: « 3 tâches », « plus de 99 tâches »."""
    return f"plus de {count(CAP, singular, plural_form)}" if value > CAP else count(value, singular, plural_form,
                                                                                   none=none)
