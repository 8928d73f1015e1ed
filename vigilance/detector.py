"""The detector of unusual reading (docs/alertes-lecture.md gives the rule and its reasons).

For each account of a cellule (its coordinators and members) and each day, what it *reached outside its
own work*: the distinct cases, young people and families it read with a motive (a read the policy lets
by only with a motive: ``cases.rules.needs_motive``) and those it was refused (``access.denied`` on a
case or its people). That day's figure raises an alert when it reaches the cellule's floor
(``Cell.reading_alert_floor``) and exceeds both the account's own usual days (mean + ``SPREAD``
standard deviations over the ``HISTORY_DAYS`` before) and its peers' (the same over the other accounts
of the same cellule and role, that day included). Reads of one's own work (no motive) never count.
"""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from audit.models import Event
from organisation.models import Cell, Membership, Role

HISTORY_DAYS = 28  # four weeks: every weekday seen four times, long enough to smooth a busy week
SPREAD = 3  # standard deviations above the mean: about one ordinary day in a thousand goes beyond
# The reads that carry the motive asked of whoever opens a case outside their work.
MOTIVE_READS = ("case.view", "case.attachment_read", "mobile_request.attachment_read", "person.view", "family.view")
REFUSED = "access.denied"


@dataclass
class Day:
    """What one account reached outside its work on one day: the objects, and the events that show it."""

    reached: set[tuple[str, str]] = field(default_factory=set)
    event_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Finding:
    """An unusual day, with the figures it exceeded."""

    account_id: int
    role: str
    day: datetime.date
    reached: int
    own_limit: float
    peer_limit: float
    event_ids: list[int]


def limit(values: list[int]) -> float:
    """Mean + ``SPREAD`` population standard deviations (0 for no values)."""
    if not values:
        return 0.0
    return statistics.fmean(values) + SPREAD * statistics.pstdev(values)


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def outside_work(accounts: list[int], first: datetime.date, last: datetime.date) -> dict[int, dict[datetime.date, Day]]:
    """Per account and local day from ``first`` to ``last``: what it reached outside its work (one
    query, served by the trail's index on actor and time)."""
    rows = (Event.objects.filter(actor_id__in=accounts, time__gte=_midnight(first),
                                 time__lt=_midnight(last + datetime.timedelta(days=1)))
            .filter(Q(action__in=MOTIVE_READS, details__has_key="motif")
                    | Q(action=REFUSED, object_type__startswith="cases."))
            .order_by("id").values_list("id", "actor_id", "time", "object_type", "object_id"))
    days: dict[int, dict[datetime.date, Day]] = defaultdict(lambda: defaultdict(Day))
    for pk, actor_id, time, object_type, object_id in rows:
        day = days[actor_id][timezone.localtime(time).date()]
        day.reached.add((object_type, object_id))
        day.event_ids.append(pk)
    return days


def examine(cell: Cell, day: datetime.date) -> list[Finding]:
    """The unusual days of the cellule's accounts on ``day``."""
    first = day - datetime.timedelta(days=HISTORY_DAYS)
    roles = dict(Membership.objects.active(day).filter(cell=cell, role__in=Role.cell_roles())
                 .values_list("user_id", "role"))
    days = outside_work(list(roles), first, day)

    def reached(account: int, on: datetime.date) -> int:
        found = days.get(account, {}).get(on)
        return len(found.reached) if found else 0

    history = [first + datetime.timedelta(days=n) for n in range(HISTORY_DAYS)]
    findings = []
    for account, role in roles.items():
        count = reached(account, day)
        if count < cell.reading_alert_floor:
            continue
        own = limit([reached(account, on) for on in history])
        peer = limit([reached(peer, on) for peer, their_role in roles.items() if their_role == role and peer != account
                      for on in (*history, day)])
        if count > own and count > peer:
            findings.append(Finding(account, role, day, count, own, peer, days[account][day].event_ids))
    return findings
