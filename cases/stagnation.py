"""The cases that stall: open, and no action recorded on them (a change of the case, its records or its
tasks' decisions, never a read) for their cellule's ``Cell.stagnant_days``. The coordinators see them on
their dashboard (``reporting.dashboard``) and in their daily digest (``cases.digest``), each with
its référent and the day of its last action.

Each open case is asked whether its trail holds an action since the limit, through the trail's index on
(object, time): the work is one short index range per open case of the département, whatever the length
of the trail."""

import datetime

from django.db.models import CharField, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from audit.models import Event
from cases.models import Case
from organisation.models import Cell

# Events on a case that change nothing: reads, and refused attempts.
NOT_ACTIONS = Q(action__endswith="view") | Q(action="access.denied")


def _actions():
    return Event.objects.filter(object_type=Case._meta.label_lower,
                                object_id=Cast(OuterRef("pk"), CharField())).exclude(NOT_ACTIONS)


def stagnant(cell: Cell, now: datetime.datetime | None = None) -> list[Case]:
    """The cellule's open cases with no action for ``cell.stagnant_days``, the longest stalled first, each
    with ``last_action`` (the time of its last action)."""
    since = (now or timezone.now()) - datetime.timedelta(days=cell.stagnant_days)
    return list(Case.objects.filter(departement_id=cell.departement_id).open()
                .exclude(Exists(_actions().filter(time__gte=since)))
                .annotate(last_action=Subquery(_actions().order_by("-time").values("time")[:1]))
                .select_related("referent").order_by("last_action", "pk"))
