"""Why a cellule's meeting should discuss a case, as the apps above the cases know it: each registers,
under the reason it gives (a ``cellule.models.MeetingItem.Reason`` value), which of a cellule's open
cases have news for the meeting since a date (``mobile_team.agenda_reasons``: the team's answers).
The meetings' agenda (``cellule.agenda.propose``) asks them all beside its own reasons."""

import datetime
from collections.abc import Callable

from django.db.models import QuerySet

from cases.models import Case

Finder = Callable[[QuerySet[Case], datetime.datetime], QuerySet[Case]]
_FINDERS: dict[str, Finder] = {}


def register(reason: str, finder: Finder) -> None:
    _FINDERS[reason] = finder


def found(cases: QuerySet[Case], since: datetime.datetime) -> dict[str, QuerySet[Case]]:
    """``{reason: the cases among ``cases`` it finds since ``since``}``, for every registered reason."""
    return {reason: finder(cases, since) for reason, finder in _FINDERS.items()}
