"""Rights on the monthly reports and the dashboard: the coordinators write their cellule's report and
read its dashboard, the national level reads the consolidation (aggregates only)."""

import enum

from organisation.models import Cell, Role
from organisation.policy import Principal, rule, scope


class ReportRight(enum.StrEnum):
    MANAGE_REPORT = "manage_report"  # on a cellule
    VIEW_DASHBOARD = "view_dashboard"  # on a cellule: its coordinators' dashboard
    VIEW_AGGREGATES = "view_aggregates"


@rule(ReportRight.MANAGE_REPORT, ReportRight.VIEW_DASHBOARD)
def _on_cell(user: Principal, right: str, cell: object) -> bool:
    return isinstance(cell, Cell) and cell.pk in scope(user).coordinated_cell_ids


@rule(ReportRight.VIEW_AGGREGATES)
def _national(user: Principal, right: str, target: object) -> bool:
    return Role.NATIONAL in scope(user).roles
