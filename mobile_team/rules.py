"""Rights on the requests to the mobile team.

The team is national: any agent sees the requests addressed to it, never the case. The cellule's
coordinators call the team, read its answers and withdraw a request. Both sides converse on a request:
every agent of the team and the coordinators of the case's cellule.
"""

import enum

from cases.models import Case
from cases.rules import coordinates
from mobile_team.models import MobileTeamRequest
from mobile_team.task_kinds import HANDLE_REQUEST
from organisation.models import Role
from organisation.policy import Principal, rule, scope, user_id
from workflows.rules import holds_task


class RequestRight(enum.StrEnum):
    REQUEST_MOBILE_TEAM = "call_mobile_team"  # on a case (the transition it allows: request_mobile_team)
    MANAGE_MOBILE_REQUEST = "manage_mobile_request"  # on a case: withdraw, read the team's answer
    VIEW_MOBILE_REQUEST = "view_mobile_request"
    HANDLE_MOBILE_REQUEST = "handle_mobile_request"  # accept or decline: whoever holds the request's task
    WORK_MOBILE_REQUEST = "work_mobile_request"  # schedule, report, complete: the agent who accepted it
    CONVERSE_MOBILE_REQUEST = "converse_mobile_request"  # write and read the request's messages
    USE_PORTAL = "use_mobile_team_portal"  # the team's lists and request pages
    VIEW_TEAM_DASHBOARD = "view_mobile_team_dashboard"  # counts and delays: the team, and the national level


def is_team(user: Principal) -> bool:
    """The user is an agent of the mobile team (the team's side of a conversation)."""
    return Role.MOBILE_TEAM in scope(user).roles


@rule(RequestRight.REQUEST_MOBILE_TEAM, RequestRight.MANAGE_MOBILE_REQUEST)
def _on_case(user: Principal, right: str, case: object) -> bool:
    return isinstance(case, Case) and coordinates(user, case)


@rule(RequestRight.VIEW_MOBILE_REQUEST, RequestRight.HANDLE_MOBILE_REQUEST, RequestRight.WORK_MOBILE_REQUEST)
def _on_request(user: Principal, right: str, request: object) -> bool:
    if not isinstance(request, MobileTeamRequest) or Role.MOBILE_TEAM not in scope(user).roles:
        return False
    match right:
        case RequestRight.VIEW_MOBILE_REQUEST:
            return True
        case RequestRight.HANDLE_MOBILE_REQUEST:
            return holds_task(user, request.case, HANDLE_REQUEST)
    return request.handled_by_id == user_id(user)  # WORK_MOBILE_REQUEST


@rule(RequestRight.USE_PORTAL, RequestRight.VIEW_TEAM_DASHBOARD)
def _portal(user: Principal, right: str, target: object) -> bool:
    roles = scope(user).roles
    return target is None and (Role.MOBILE_TEAM in roles or (
        right == RequestRight.VIEW_TEAM_DASHBOARD and Role.NATIONAL in roles))


@rule(RequestRight.CONVERSE_MOBILE_REQUEST)
def _converse(user: Principal, right: str, request: object) -> bool:
    return isinstance(request, MobileTeamRequest) and (is_team(user) or coordinates(user, request.case))
