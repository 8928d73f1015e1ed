"""The organisation's rights: who sees a cellule's composition, manages its members, the reference data."""

import enum

from django.db.models import Q, QuerySet

from organisation.models import Cell, Membership, Role
from organisation.policy import Scope, rule, scope


class OrganisationRight(enum.StrEnum):
    VIEW_COMPOSITION = "view_composition"  # on a cellule
    MANAGE_MEMBERSHIPS = "manage_memberships"  # on a cellule
    MANAGE_REFERENCE_DATA = "manage_reference_data"  # accounts, cellules, institutions, mandates: the admin


def in_cell_scope(s: Scope, cell: Cell) -> bool:
    """The user works in the cellule, or a mandate covers its département."""
    return cell.pk in s.cell_ids or cell.departement_id in s.mandate_departement_ids


@rule(OrganisationRight.VIEW_COMPOSITION, OrganisationRight.MANAGE_MEMBERSHIPS)
def _on_cell(user, right: str, cell) -> bool:
    if not isinstance(cell, Cell):
        return False
    s = scope(user)
    if right == OrganisationRight.VIEW_COMPOSITION:
        return Role.ADMIN in s.roles or in_cell_scope(s, cell)
    return Role.ADMIN in s.roles or cell.pk in s.coordinated_cell_ids


@rule(OrganisationRight.MANAGE_REFERENCE_DATA)
def _administers(user, right: str, target) -> bool:
    return Role.ADMIN in scope(user).roles


def cells_visible_to(user) -> QuerySet[Cell]:
    s = scope(user)
    cells = Cell.objects.select_related("departement")
    if Role.ADMIN in s.roles or Role.NATIONAL in s.roles:
        return cells
    return cells.filter(Q(pk__in=s.cell_ids) | Q(departement_id__in=s.mandate_departement_ids))


def memberships_visible_to(user) -> QuerySet[Membership]:
    """The composition of the cellules the user may see (admin: every membership; national: none)."""
    s = scope(user)
    memberships = Membership.objects.select_related("user", "institution", "cell__departement")
    if Role.ADMIN in s.roles:
        return memberships
    return memberships.filter(Q(cell_id__in=s.cell_ids) | Q(cell__departement_id__in=s.mandate_departement_ids))
