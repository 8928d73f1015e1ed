"""Rights on the cellule's life: its meetings and support groups, the families' interview requests, its
exchanges with the local prevention bodies."""

import enum

from cases.models import Case
from cases.rules import coordinates
from cellule.models import MeetingItem, SupportGroup
from organisation.models import Cell
from organisation.policy import Principal, rule, scope, user_id


class CelluleRight(enum.StrEnum):
    MANAGE_MEETINGS = "manage_meetings"  # on a cellule: its meetings, and creating its support groups
    VIEW_SUPPORT_GROUPS = "view_support_groups"  # on a cellule: the list of its support groups one runs
    RECORD_SUPPORT_SESSION = "record_support_session"  # on a support group: its sessions
    LIAISE = "liaise"  # on a cellule: its local prevention bodies' pages and its exchanges with them
    VIEW_MEETINGS = "view_meetings"  # on a cellule: its calendar, agendas and minutes, read only
    MANAGE_INTERVIEWS = "manage_interviews"  # on a case: the family's requests for an interview
    COMPLETE_DECISION = "complete_decision"  # on a meeting's decision: its follow-up done


@rule(CelluleRight.MANAGE_MEETINGS, CelluleRight.LIAISE)
def _on_cell(user: Principal, right: str, cell: object) -> bool:
    return isinstance(cell, Cell) and cell.pk in scope(user).coordinated_cell_ids


@rule(CelluleRight.VIEW_MEETINGS)
def _in_cell(user: Principal, right: str, cell: object) -> bool:
    """Every member of the cellule reads its meetings; which cases an agenda names depends on each case."""
    return isinstance(cell, Cell) and cell.pk in scope(user).cell_ids


@rule(CelluleRight.VIEW_SUPPORT_GROUPS)
def _runs_groups_in(user: Principal, right: str, cell: object) -> bool:
    """Its coordinators see every group of the cellule; a member, the groups they facilitate."""
    if not isinstance(cell, Cell):
        return False
    return cell.pk in scope(user).coordinated_cell_ids or SupportGroup.objects.recordable_by(user).filter(
        cell=cell).exists()


@rule(CelluleRight.RECORD_SUPPORT_SESSION)
def _runs_group(user: Principal, right: str, group: object) -> bool:
    """A group's sessions are recorded by the coordinators of its cellule, and by its facilitator while a
    member of that cellule (an ended membership no longer counts: ``scope`` holds the active ones)."""
    if not isinstance(group, SupportGroup):
        return False
    s = scope(user)
    return group.cell_id in s.coordinated_cell_ids or any(
        m.pk == group.facilitator_id and m.cell_id == group.cell_id for m in s.memberships)


@rule(CelluleRight.MANAGE_INTERVIEWS)
def _on_case(user: Principal, right: str, case: object) -> bool:
    return isinstance(case, Case) and coordinates(user, case)


@rule(CelluleRight.COMPLETE_DECISION)
def _owns_decision(user: Principal, right: str, item: object) -> bool:
    """A meeting's decision is followed up by its owner, or by a coordinator of its case."""
    if not isinstance(item, MeetingItem):
        return False
    mine = item.owner_id == user_id(user) and item.case.departement_id in scope(user).cell_departement_ids
    return mine or coordinates(user, item.case)
