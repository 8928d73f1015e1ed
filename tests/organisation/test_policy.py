"""The access policy for every role, and the isolation of départements."""

import datetime

import pytest
import time_machine

from cases.rules import CaseRight
from cellule.rules import CelluleRight
from charter.rules import CharterRight
from funding.rules import FundingRight
from inspection.rules import InspectionRight
from intake.rules import IntakeRight
from mobile_team.rules import RequestRight
from organisation import policy
from organisation.models import Departement
from organisation.rules import OrganisationRight, cells_visible_to, memberships_visible_to
from reporting.rules import ReportRight
from tests.organisation.factories import MandateFactory, MembershipFactory
from vigilance.rules import VigilanceRight
from workflows.rules import NotificationRight, TaskRight, ViewRight

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

A, B = "a", "b"  # the 93 and 69 cellules of the personas
COORDINATION = {OrganisationRight.VIEW_COMPOSITION, OrganisationRight.MANAGE_MEMBERSHIPS, CaseRight.INTAKE,
                ReportRight.MANAGE_REPORT, ReportRight.VIEW_DASHBOARD, CelluleRight.MANAGE_MEETINGS,
                CelluleRight.VIEW_MEETINGS, TaskRight.VIEW_CELLULE_TASKS, ViewRight.SAVE_VIEW,
                ViewRight.SET_DEFAULT_VIEW, CharterRight.VIEW_ACCEPTANCES, OrganisationRight.PROPOSE_INSTITUTION,
                CelluleRight.VIEW_SUPPORT_GROUPS, CelluleRight.LIAISE, FundingRight.MANAGE_FUNDING,
                VigilanceRight.SET_THRESHOLD}
# Members read their cellule's composition and its meetings, and keep views of its lists.
MEMBERSHIP = {OrganisationRight.VIEW_COMPOSITION, CelluleRight.VIEW_MEETINGS, ViewRight.SAVE_VIEW}
# The technical administrator sees the compositions but gives no role in a cellule (separation of duties);
# they manage the sources' service accounts.
ADMINISTRATION = {OrganisationRight.VIEW_COMPOSITION, OrganisationRight.MANAGE_REFERENCE_DATA,
                  IntakeRight.MANAGE_ACCOUNTS}
# The national level names the cellules' coordinators.
NATIONAL = {ReportRight.VIEW_AGGREGATES, OrganisationRight.VIEW_COMPOSITION, OrganisationRight.MANAGE_MEMBERSHIPS,
            FundingRight.VIEW_FUNDING_AGGREGATES}
# The coordinators' rights without a target: their cellule's tasks, the account recoveries to decide, the
# inspection's reads of their département, the alerts on unusual reading in their cellule.
COORDINATING = {TaskRight.VIEW_CELLULE_TASKS, OrganisationRight.VIEW_RECOVERIES, InspectionRight.VIEW_INSPECTION_READS,
                VigilanceRight.VIEW_ALERTS}
# Whoever holds a role reads their own notifications and chooses how they are told.
OWN = {NotificationRight.READ_NOTIFICATION, NotificationRight.CHOOSE_NOTIFICATION_EMAIL}
# Whoever reads names accepts the confidentiality charter.
READS_NAMES = OWN | {CharterRight.ACCEPT}
# persona: the rights allowed on cell A, on cell B, and without target (None).
ALLOWED = {
    "coord_a": {A: COORDINATION, B: set(), None: COORDINATING | READS_NAMES},
    "member_a": {A: MEMBERSHIP, B: set(), None: READS_NAMES},
    "coord_b": {A: set(), B: COORDINATION, None: COORDINATING | READS_NAMES},
    "member_b": {A: set(), B: MEMBERSHIP, None: READS_NAMES},
    "mobile": {A: set(), B: set(), None: {RequestRight.USE_PORTAL, RequestRight.VIEW_TEAM_DASHBOARD} | READS_NAMES},
    # Under a mandate on the 93: its composition, who accepted the charter there and the alerts on unusual
    # reading, read only.
    "inspector": {A: {OrganisationRight.VIEW_COMPOSITION, CharterRight.VIEW_ACCEPTANCES}, B: set(),
                  None: READS_NAMES | {VigilanceRight.VIEW_ALERTS}},
    # The national level names its officers, the mobile team and the inspection; the coordinators and
    # the national level decide on the administrators' requests to get an account back.
    "national": {A: NATIONAL, B: NATIONAL, None: {ReportRight.VIEW_AGGREGATES, OrganisationRight.NAME_NATIONAL_ROLES,
                                                  OrganisationRight.VIEW_RECOVERIES, OrganisationRight.VIEW_MANDATES,
                                                  RequestRight.VIEW_TEAM_DASHBOARD,
                                                  FundingRight.VIEW_FUNDING_AGGREGATES} | OWN},
    "admin": {A: ADMINISTRATION, B: ADMINISTRATION,
              None: {OrganisationRight.MANAGE_REFERENCE_DATA, IntakeRight.MANAGE_ACCOUNTS,
                     OrganisationRight.VIEW_RECOVERIES, CharterRight.PUBLISH} | OWN},
    "former": {A: set(), B: set(), None: set()},
    "outsider": {A: set(), B: set(), None: set()},
}


@pytest.mark.parametrize("name", ALLOWED)
def test_each_role_may_do_exactly_its_actions(personas, name):
    user = getattr(personas, name)
    targets = {A: personas.cell_a, B: personas.cell_b, None: None}
    for key, target in targets.items():
        allowed = {right for right in policy.rights() if policy.can(user, right, target)}
        assert allowed == ALLOWED[name][key], (name, key)


def test_audit_review_follows_the_mandate(personas):
    dep_93, dep_69 = Departement.objects.get(code="93"), Departement.objects.get(code="69")
    assert policy.can(personas.inspector, InspectionRight.VIEW_AUDIT, dep_93)
    assert not policy.can(personas.inspector, InspectionRight.VIEW_AUDIT, dep_69)
    for name in ALLOWED.keys() - {"inspector"}:
        assert not policy.can(getattr(personas, name), InspectionRight.VIEW_AUDIT, dep_93), name


@pytest.mark.parametrize("name", ["coord_a", "member_a", "inspector"])
def test_a_user_of_departement_a_sees_nothing_of_departement_b(personas, name):
    user = getattr(personas, name)
    assert list(cells_visible_to(user)) == [personas.cell_a]
    memberships = memberships_visible_to(user)
    assert memberships.exists()
    assert not memberships.filter(cell=personas.cell_b).exists()
    assert Departement.objects.get(code="69").pk not in policy.scope(user).departement_ids


@pytest.mark.parametrize("name", ["outsider", "former", "mobile"])
def test_users_without_a_cell_or_mandate_see_no_cell(personas, name):
    user = getattr(personas, name)
    assert not cells_visible_to(user).exists()
    assert not memberships_visible_to(user).exists()
    assert policy.scope(user).departement_ids == frozenset()


def test_national_sees_every_cell_and_who_sits_in_it_to_name_coordinators(personas):
    assert set(cells_visible_to(personas.national)) == {personas.cell_a, personas.cell_b}
    assert {m.cell for m in memberships_visible_to(personas.national) if m.cell} == {personas.cell_a,
                                                                                     personas.cell_b}


def test_memberships_count_only_within_their_dates(personas):
    MembershipFactory(user__username="future", cell=personas.cell_a, starts_on=datetime.date(2099, 1, 1))
    future = MembershipFactory._meta.model.objects.get(user__username="future").user
    assert policy.scope(future).roles == frozenset()
    assert policy.scope(future, at=datetime.date(2099, 1, 1)).roles == {"member"}


def test_an_expired_mandate_opens_nothing(personas):
    inspector = MembershipFactory(inspector=True, user__username="inspector2").user
    MandateFactory(inspector=inspector, ends_on=datetime.date(2025, 6, 30), departements=["93", "69"])
    assert not cells_visible_to(inspector).exists()
    with time_machine.travel(datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC)):
        policy.forget(inspector)
        assert cells_visible_to(inspector).count() == 2


def test_django_permissions_grant_nothing_the_policy_does_not(personas):
    """Rights are declared once, in the policy: Django's permissions (groups, direct grants) open
    nothing; what they used to grant is the policy's answer."""
    assert policy.can(personas.coord_a, OrganisationRight.MANAGE_MEMBERSHIPS, personas.cell_a)
    assert not policy.can(personas.member_a, OrganisationRight.MANAGE_MEMBERSHIPS, personas.cell_a)
    assert policy.can(personas.admin, OrganisationRight.MANAGE_REFERENCE_DATA)
    for name in ("coord_a", "member_a", "admin", "former", "outsider"):
        assert getattr(personas, name).get_all_permissions() == set(), name
    assert not personas.coord_a.has_perm("organisation.add_membership")


def test_the_superuser_flag_opens_nothing_in_the_policy(personas):
    personas.outsider.is_superuser = True
    assert not any(policy.can(personas.outsider, action, personas.cell_a) for action in policy.rights())
    assert not cells_visible_to(personas.outsider).exists()


def test_require_raises_access_denied(personas):
    with pytest.raises(policy.AccessDenied):
        policy.require(personas.coord_b, OrganisationRight.MANAGE_MEMBERSHIPS, personas.cell_a)
    policy.require(personas.coord_a, OrganisationRight.MANAGE_MEMBERSHIPS, personas.cell_a)
