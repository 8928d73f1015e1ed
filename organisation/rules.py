"""The organisation's rights: who sees a cellule's composition, manages its members, the reference data."""

import enum

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from organisation.models import AccountRecovery, Cell, Mandate, Membership, MembershipQuerySet, Role
from organisation.policy import Actor, Principal, Scope, rule, scope, user_id


class OrganisationRight(enum.StrEnum):
    VIEW_COMPOSITION = "view_composition"  # on a cellule
    MANAGE_MEMBERSHIPS = "manage_memberships"  # on a cellule: its composition page's forms
    GRANT_ROLE = "grant_role"  # on a membership: create it, change it or end it
    MANAGE_REFERENCE_DATA = "manage_reference_data"  # accounts, cellules, institutions: the admin
    VIEW_MANDATES = "view_mandates"  # the national level's page of the inspection mandates
    REQUEST_MANDATE = "request_mandate"  # on a mandate: propose it (national level)
    APPROVE_MANDATE = "approve_mandate"  # on a mandate: a second national officer
    NAME_NATIONAL_ROLES = "name_national_roles"  # the national officers, the mobile team, the inspection
    VIEW_RECOVERIES = "view_recoveries"  # the page of the requests to get an account back
    REQUEST_RECOVERY = "request_recovery"  # on an account: ask for a password link or a second-factor reset
    DECIDE_RECOVERY = "decide_recovery"  # on an account recovery: the second person approves or refuses it
    MANAGE_SESSIONS = "manage_sessions"  # on an account: see its open sessions and end them
    PROPOSE_INSTITUTION = "propose_institution"  # on a cellule: ask the administrator for a missing institution


# Separation of duties: who may give each role. The technical administrator manages accounts and
# other administrators, never a role that opens cases nor the national one (an account it made and
# named national could name it, or another account it holds, coordinator); the national level names
# its officers, the coordinators, the mobile team and the inspection (the first officer by the
# operator: ``manage.py create_national``); a cellule's coordinators name its members. Never
# oneself; and no account holds both a steering role and one that reads cases
# (``Membership._check_separation_of_duties``).
GRANTED_BY = {
    Role.ADMIN: {Role.ADMIN},
    Role.NATIONAL: {Role.NATIONAL},
    Role.INSPECTOR: {Role.NATIONAL},
    Role.MOBILE_TEAM: {Role.NATIONAL},
    Role.COORDINATOR: {Role.NATIONAL, Role.COORDINATOR},
    Role.MEMBER: {Role.COORDINATOR},
}


def grantable_roles(user: Principal, cell: Cell | None = None) -> list[Role]:
    """The roles the user may give, in a cellule (its coordinator) or nationally."""
    s = scope(user)
    return [role for role, granters in GRANTED_BY.items()
            if any(_grants_as(s, granter, cell) for granter in granters)]


def grantable_cell_roles(user: Actor, cell: Cell) -> list[Role]:
    """The roles of a cellule the user may give there (its composition page's forms)."""
    return [role for role in grantable_roles(user, cell) if role in Role.cell_roles()]


def grantable_national_roles(user: Actor) -> list[Role]:
    """The national roles the user may give (the national roles' page)."""
    return [role for role in grantable_roles(user) if role not in Role.cell_roles()]


def _grants_as(s: Scope, granter: Role, cell: Cell | None) -> bool:
    if granter not in s.roles:
        return False
    if granter == Role.COORDINATOR:  # only in the cellules they coordinate
        return cell is not None and cell.pk in s.coordinated_cell_ids
    return True


def in_cell_scope(s: Scope, cell: Cell) -> bool:
    """The user works in the cellule, or a mandate covers its département."""
    return cell.pk in s.cell_ids or cell.departement_id in s.mandate_departement_ids


@rule(OrganisationRight.VIEW_COMPOSITION, OrganisationRight.MANAGE_MEMBERSHIPS)
def _on_cell(user: Principal, right: str, cell: object) -> bool:
    if not isinstance(cell, Cell):
        return False
    s = scope(user)
    if right == OrganisationRight.VIEW_COMPOSITION:
        return bool({Role.ADMIN, Role.NATIONAL} & s.roles) or in_cell_scope(s, cell)
    return Role.NATIONAL in s.roles or cell.pk in s.coordinated_cell_ids


@rule(OrganisationRight.GRANT_ROLE)
def _grants(user: Principal, right: str, membership: object) -> bool:
    if not isinstance(membership, Membership) or membership.user_id == user_id(user):
        return False  # nobody gives, changes or ends a role of their own
    return membership.role in grantable_roles(user, membership.cell if membership.cell_id else None)


@rule(OrganisationRight.REQUEST_MANDATE, OrganisationRight.APPROVE_MANDATE)
def _on_mandate(user: Principal, right: str, mandate: object) -> bool:
    if (not isinstance(mandate, Mandate) or Role.NATIONAL not in scope(user).roles
            or mandate.inspector_id == user_id(user)):
        return False
    if right == OrganisationRight.APPROVE_MANDATE:  # a second person: never the one who asked
        return mandate.approved_at is None and mandate.requested_by_id not in (None, user_id(user))
    return True


@rule(OrganisationRight.MANAGE_SESSIONS)
def _sessions(user: Principal, right: str, person: object) -> bool:
    """One's own sessions; a coordinator, those of the members of the cellules they coordinate; the
    technical administrator, anyone's. On an account, or on a membership (its member's, in its
    cellule: the composition page asks for each without a query)."""
    if isinstance(person, Membership):
        in_coordinated = person.cell_id in scope(user).coordinated_cell_ids and person.is_current
        member = person.user_id
    elif isinstance(person, get_user_model()):
        member, in_coordinated = person.pk, None
    else:
        return False
    if member == user_id(user) or Role.ADMIN in scope(user).roles:
        return True
    if in_coordinated is not None:
        return in_coordinated
    coordinated = scope(user).coordinated_cell_ids
    return bool(coordinated) and Membership.objects.active().filter(user=person, cell_id__in=coordinated).exists()


@rule(OrganisationRight.PROPOSE_INSTITUTION)
def _proposes(user: Principal, right: str, cell: object) -> bool:
    """The cellule's coordinators: they know which partner it misses. Never the national level, which
    works with no institution of a département; the technical administrator creates institutions itself."""
    return isinstance(cell, Cell) and cell.pk in scope(user).coordinated_cell_ids


@rule(OrganisationRight.MANAGE_REFERENCE_DATA)
def _administers(user: Principal, right: str, target: object) -> bool:
    return Role.ADMIN in scope(user).roles


@rule(OrganisationRight.NAME_NATIONAL_ROLES, OrganisationRight.VIEW_MANDATES)
def _national_pages(user: Principal, right: str, target: object) -> bool:
    return target is None and Role.NATIONAL in scope(user).roles


@rule(OrganisationRight.VIEW_RECOVERIES)
def _views_recoveries(user: Principal, right: str, target: object) -> bool:
    """Who asks (the administrators) and who decides (the national level, the coordinators)."""
    s = scope(user)
    return target is None and (bool({Role.ADMIN, Role.NATIONAL} & s.roles) or bool(s.coordinated_cell_ids))


@rule(OrganisationRight.REQUEST_RECOVERY)
def _requests_recovery(user: Principal, right: str, account: object) -> bool:
    """The technical administrator asks, for someone else's account."""
    return isinstance(account, get_user_model()) and account.pk != user_id(user) and Role.ADMIN in scope(user).roles


@rule(OrganisationRight.DECIDE_RECOVERY)
def _decides_recovery(user: Principal, right: str, recovery: object) -> bool:
    """The second person: a national officer, or a coordinator of a cellule the holder belongs to;
    never the one who asked, never the holder; while the request waits."""
    if not isinstance(recovery, AccountRecovery) or recovery.status != AccountRecovery.Status.PENDING:
        return False
    if user_id(user) in (recovery.user_id, recovery.requested_by_id):
        return False
    s = scope(user)
    return Role.NATIONAL in s.roles or recovery.user.memberships.active().filter(
        cell_id__in=s.coordinated_cell_ids).exists()


def recoveries_visible_to(user: Actor) -> QuerySet[AccountRecovery]:
    """The requests a person may decide or made: every one for the national level and the
    administrators, those of their cellules' members for coordinators."""
    s = scope(user)
    recoveries = AccountRecovery.objects.select_related("user", "requested_by", "decided_by")
    if {Role.ADMIN, Role.NATIONAL} & s.roles:
        return recoveries
    return recoveries.filter(user__memberships__in=Membership.objects.active().filter(
        cell_id__in=s.coordinated_cell_ids)).distinct()


def cells_visible_to(user: Actor) -> QuerySet[Cell]:
    s = scope(user)
    cells = Cell.objects.select_related("departement")
    if {Role.ADMIN, Role.NATIONAL} & s.roles:
        return cells
    return cells.filter(Q(pk__in=s.cell_ids) | Q(departement_id__in=s.mandate_departement_ids))


def memberships_visible_to(user: Actor) -> MembershipQuerySet:
    """The composition of the cellules the user may see (admin and national level: every membership)."""
    s = scope(user)
    memberships = Membership.objects.select_related("user", "institution", "cell__departement")
    if {Role.ADMIN, Role.NATIONAL} & s.roles:
        return memberships
    return memberships.filter(Q(cell_id__in=s.cell_ids) | Q(cell__departement_id__in=s.mandate_departement_ids))
