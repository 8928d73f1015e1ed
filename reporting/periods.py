"""The months a monthly report can be about, and those the national view shows.

A cellule reports from the month it was installed (or, not installed yet, the month it was created in
the product) to the current month: the current month's report can be drafted as the month goes, and
is validated and sent once the month has ended (``reporting.actions``), as a préfecture sends the
ministry the table of a month in the first days of the next. The national view consolidates ended
months only, from the earliest cellule's first month to the last ended one, and opens on the latter:
the current month would show every cellule late.
"""

from collections.abc import Iterable

from django.db.models import Min
from django.utils import timezone

from organisation.models import Cell
from reporting.figures import Month


def this_month() -> Month:
    return Month.of(timezone.localdate())


def last_ended() -> Month:
    return this_month().previous()


def first_months(cells: Iterable[Cell]) -> dict[int, Month]:
    """Each cellule's first month (by pk): its installation's, else its creation's (one query for the
    cellules not installed); the current month for a cellule without either."""
    cells = list(cells)
    uninstalled = [cell.pk for cell in cells if not cell.installed_on]
    created = dict(Cell.history.filter(id__in=uninstalled).values("id").annotate(first=Min("history_date"))
                   .values_list("id", "first")) if uninstalled else {}
    return {cell.pk: Month.of(cell.installed_on) if cell.installed_on
            else Month.of(timezone.localdate(created[cell.pk])) if cell.pk in created else this_month()
            for cell in cells}


def first_month(cell: Cell) -> Month:
    return first_months([cell])[cell.pk]


def refusal(cell: Cell, month: Month) -> str | None:
    """Why ``cell`` has no report for ``month`` (a French sentence), or None when it may have one."""
    if month > this_month():
        return f"Aucun compte rendu pour {month.label()} : ce mois n'a pas encore commencé."
    first = first_month(cell)
    if month < first:
        since = "son installation" if cell.installed_on else "sa création dans l'application"
        return (f"Aucun compte rendu pour {month.label()} : les comptes rendus de la cellule commencent en "
                f"{first.label()}, mois de {since}.")
    return None


def national_months() -> tuple[Month, Month]:
    """The first and the last month of the national view: the earliest cellule's first month (the last
    ended month when none is older) and the last ended month."""
    last = last_ended()
    firsts = first_months(Cell.objects.all())
    return min([*firsts.values(), last]), last
