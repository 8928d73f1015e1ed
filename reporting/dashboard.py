"""The coordinator's dashboard: what the cellule has in hand today, as counts and agents' names, and the
cases that stall by their reference.

Every figure is an aggregate over the cellule's département, in three queries whatever the number of
cases and tasks: the caseload per référent (one ``GROUP BY``), the open tasks (one ``aggregate`` of
filtered counts) and the mobile team's requests (another); the stalled cases are one more
(``cases.stagnation``). No young person is named; the agents' names are, and the view records the read
(``dashboard.view``).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from cases.models import Case, State
from cases.task_kinds import CONTACT_FAMILY
from mobile_team.models import MobileTeamRequest
from organisation.models import Cell
from workflows import kinds
from workflows.models import CaseTask

# The ages of open tasks, in days since they were opened: (label, from, to excluded).
AGES = (("Moins de 7 jours", 0, 7), ("De 7 à 30 jours", 7, 31), ("Plus de 30 jours", 31, None))


@dataclass(frozen=True)
class Caseload:
    referent_id: int | None
    name: str
    cases: int
    young_people: int  # a young person with two open cases counts once
    families: int  # and a family with two children followed


def caseloads(cell: Cell) -> list[Caseload]:
    """Open cases, the young people they are about and their families, per référent, the largest first; the cases with
    no référent yet last."""
    rows = (Case.objects.filter(departement_id=cell.departement_id).open().order_by()
            .values("referent_id", "referent__first_name", "referent__last_name", "referent__username")
            .annotate(cases=Count("pk"), young_people=Count("person", distinct=True),
                      families=Count("person__family", distinct=True)))
    loads = [Caseload(row["referent_id"], (f"{row['referent__first_name']} {row['referent__last_name']}".strip()
                                           or row["referent__username"]) if row["referent_id"] else "Sans référent",
                      row["cases"], row["young_people"], row["families"]) for row in rows]
    return sorted(loads, key=lambda load: (load.referent_id is None, -load.cases, load.name))


def task_counts(cell: Cell, now: datetime.datetime | None = None) -> dict:
    """The cellule's open tasks (the mobile team's own left out) by age, overdue, escalated, and the
    received cases whose family contact is overdue."""
    now = now or timezone.now()
    today = timezone.localdate(now)

    def opened(low: int, high: int | None) -> Q:
        since = Q(created__lte=now - datetime.timedelta(days=low))
        return since & Q(created__gt=now - datetime.timedelta(days=high)) if high else since

    tasks = (CaseTask.objects.filter(departement_id=cell.departement_id)
             .exclude(flow_task_name__in=kinds.in_portal()).open())
    counts = tasks.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        escalated=Count("pk", filter=Q(escalated_on__isnull=False)),
        uncontacted=Count("case", distinct=True, filter=Q(flow_task_name=CONTACT_FAMILY, due_on__lt=today,
                                                          case__state=State.RECEIVED)),
        **{f"age_{index}": Count("pk", filter=opened(low, high)) for index, (_, low, high) in enumerate(AGES)},
    )
    counts["by_age"] = [(label, counts.pop(f"age_{index}")) for index, (label, _, _) in enumerate(AGES)]
    return counts


def team_requests(cell: Cell) -> dict:
    """The cellule's requests to the mobile team still waiting on the team, and answers not yet read."""
    status = MobileTeamRequest.Status
    return MobileTeamRequest.objects.filter(departement=cell.departement.code).aggregate(
        requested=Count("pk", filter=Q(status=status.REQUESTED)),
        accepted=Count("pk", filter=Q(status=status.ACCEPTED)),
        scheduled=Count("pk", filter=Q(status=status.SCHEDULED)),
        unread=Count("pk", filter=Q(answer_unread=True)),
    )
