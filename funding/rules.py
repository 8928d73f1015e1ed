"""Rights on the FIPD's actions: a cellule's coordinators enter, edit, list and export them; the
national level reads the aggregate per département (totals and the cellules' functioning, no action's
detail). The members of a cellule have no part in the funding campaign and see none of it."""

import enum

from funding.models import FundedAction
from organisation.models import Cell, Role
from organisation.policy import Principal, rule, scope


class FundingRight(enum.StrEnum):
    MANAGE_FUNDING = "manage_funding"  # on a cellule, or on one of its actions
    VIEW_FUNDING_AGGREGATES = "view_funding_aggregates"


@rule(FundingRight.MANAGE_FUNDING)
def _coordinates(user: Principal, right: str, target: object) -> bool:
    cell_id = target.pk if isinstance(target, Cell) else target.cell_id if isinstance(target, FundedAction) else None
    return cell_id is not None and cell_id in scope(user).coordinated_cell_ids


@rule(FundingRight.VIEW_FUNDING_AGGREGATES)
def _national(user: Principal, right: str, target: object) -> bool:
    return Role.NATIONAL in scope(user).roles
