"""Who accepts the charter, who reads the acceptances, who publishes a new version."""

import enum

from organisation.models import Cell, Role
from organisation.policy import Principal, rule, scope


class CharterRight(enum.StrEnum):
    ACCEPT = "accept_charter"  # whoever reads names: the charter before any nominative page
    VIEW_ACCEPTANCES = "view_charter_acceptances"  # on a cellule: who accepted which version
    PUBLISH = "publish_charter"  # a new version, which everyone accepts again


def must_accept(user: Principal) -> bool:
    """The roles that read young people's and families' names (the cellule's, the mobile team's, the
    inspection's, under a mandate) accept the charter; the national level and the technical
    administration, who never see a name, are not asked."""
    return bool(scope(user).roles & Role.case_roles())


@rule(CharterRight.ACCEPT)
def _accepts(user: Principal, right: str, target: object) -> bool:
    return target is None and must_accept(user)


@rule(CharterRight.VIEW_ACCEPTANCES)
def _views_acceptances(user: Principal, right: str, cell: object) -> bool:
    """The cellule's coordinators; the inspection, read only, where a mandate covers its département."""
    if not isinstance(cell, Cell):
        return False
    s = scope(user)
    return cell.pk in s.coordinated_cell_ids or cell.departement_id in s.mandate_departement_ids


@rule(CharterRight.PUBLISH)
def _publishes(user: Principal, right: str, target: object) -> bool:
    return target is None and Role.ADMIN in scope(user).roles
