"""The mobile team's answers a cellule's meeting should hear (``cases.agenda_reasons``): a request
accepted since the last meeting, or closed by the team since (declined or completed; not one the
cellule withdrew)."""

import datetime

from django.db.models import Q, QuerySet

from cases import agenda_reasons
from cases.models import Case
from mobile_team.models import MobileTeamRequest


def answered(cases: QuerySet[Case], since: datetime.datetime) -> QuerySet[Case]:
    requests = MobileTeamRequest.objects.filter(Q(accepted_at__gt=since) | Q(closed_at__gt=since)
                                                & ~Q(status=MobileTeamRequest.Status.WITHDRAWN))
    return cases.filter(pk__in=requests.values("case_id"))


agenda_reasons.register("team_answer", answered)
