"""The access policy for every role, and the isolation of départements."""

import datetime

import pytest
import time_machine

from organisation import policy
from organisation.models import Departement
from organisation.policy import Action
from tests.cases.factories import MandateFactory, MembershipFactory

A, B = "a", "b"  # the 93 and 69 cellules of the personas
# persona: the actions allowed on cell A, on cell B, and without target (None).
ALLOWED = {
    "coord_a": {
        A: {Action.VIEW_CELL, Action.VIEW_COMPOSITION, Action.MANAGE_MEMBERSHIPS, Action.INTAKE,
            Action.MANAGE_REPORT, Action.MANAGE_MEETINGS}, B: set(), None: set()
    },
    "member_a": {A: {Action.VIEW_CELL, Action.VIEW_COMPOSITION}, B: set(), None: set()},
    "coord_b": {
        A: set(), B: {Action.VIEW_CELL, Action.VIEW_COMPOSITION, Action.MANAGE_MEMBERSHIPS, Action.INTAKE,
                      Action.MANAGE_REPORT, Action.MANAGE_MEETINGS}, None: set()
    },
    "member_b": {A: set(), B: {Action.VIEW_CELL, Action.VIEW_COMPOSITION}, None: set()},
    "mobile": {A: set(), B: set(), None: set()},
    "inspector": {A: {Action.VIEW_CELL, Action.VIEW_COMPOSITION}, B: set(), None: set()},
    "national": {
        A: {Action.VIEW_CELL, Action.VIEW_AGGREGATES},
        B: {Action.VIEW_CELL, Action.VIEW_AGGREGATES},
        None: {Action.VIEW_AGGREGATES},
    },
    "admin": {
        A: {Action.VIEW_CELL, Action.VIEW_COMPOSITION, Action.MANAGE_MEMBERSHIPS, Action.MANAGE_REFERENCE_DATA},
        B: {Action.VIEW_CELL, Action.VIEW_COMPOSITION, Action.MANAGE_MEMBERSHIPS, Action.MANAGE_REFERENCE_DATA},
        None: {Action.MANAGE_REFERENCE_DATA},
    },
    "former": {A: set(), B: set(), None: set()},
    "outsider": {A: set(), B: set(), None: set()},
}


@pytest.mark.parametrize("name", ALLOWED)
def test_each_role_may_do_exactly_its_actions(personas, name):
    user = getattr(personas, name)
    targets = {A: personas.cell_a, B: personas.cell_b, None: None}
    for key, target in targets.items():
        allowed = {action for action in Action if policy.can(user, action, target)}
        assert allowed == ALLOWED[name][key], (name, key)


def test_audit_review_follows_the_mandate(personas):
    dep_93, dep_69 = Departement.objects.get(code="93"), Departement.objects.get(code="69")
    assert policy.can(personas.inspector, Action.VIEW_AUDIT, dep_93)
    assert not policy.can(personas.inspector, Action.VIEW_AUDIT, dep_69)
    for name in ALLOWED.keys() - {"inspector"}:
        assert not policy.can(getattr(personas, name), Action.VIEW_AUDIT, dep_93), name


@pytest.mark.parametrize("name", ["coord_a", "member_a", "inspector"])
def test_a_user_of_departement_a_sees_nothing_of_departement_b(personas, name):
    user = getattr(personas, name)
    assert list(policy.cells_visible_to(user)) == [personas.cell_a]
    memberships = policy.memberships_visible_to(user)
    assert memberships.exists()
    assert not memberships.filter(cell=personas.cell_b).exists()
    assert Departement.objects.get(code="69").pk not in policy.scope(user).departement_ids


@pytest.mark.parametrize("name", ["outsider", "former", "mobile"])
def test_users_without_a_cell_or_mandate_see_no_cell(personas, name):
    user = getattr(personas, name)
    assert not policy.cells_visible_to(user).exists()
    assert not policy.memberships_visible_to(user).exists()
    assert policy.scope(user).departement_ids == frozenset()


def test_national_sees_every_cell_but_nobody_in_them(personas):
    assert set(policy.cells_visible_to(personas.national)) == {personas.cell_a, personas.cell_b}
    assert not policy.memberships_visible_to(personas.national).exists()


def test_memberships_count_only_within_their_dates(personas):
    MembershipFactory(user__username="future", cell=personas.cell_a, starts_on=datetime.date(2099, 1, 1))
    future = MembershipFactory._meta.model.objects.get(user__username="future").user
    assert policy.scope(future).roles == frozenset()
    assert policy.scope(future, at=datetime.date(2099, 1, 1)).roles == {"member"}


def test_an_expired_mandate_opens_nothing(personas):
    inspector = MembershipFactory(inspector=True, user__username="inspector2").user
    MandateFactory(inspector=inspector, ends_on=datetime.date(2025, 6, 30), departements=["93", "69"])
    assert not policy.cells_visible_to(inspector).exists()
    with time_machine.travel(datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC)):
        policy.forget(inspector)
        assert policy.cells_visible_to(inspector).count() == 2


def test_django_permissions_follow_active_roles_only(personas):
    assert personas.coord_a.has_perm("organisation.add_membership")
    assert not personas.member_a.has_perm("organisation.add_membership")
    assert personas.admin.has_perm("auth.add_user")
    assert personas.former.get_all_permissions() == set()
    assert personas.outsider.get_all_permissions() == set()



def test_the_superuser_flag_opens_nothing_in_the_policy(personas):
    personas.outsider.is_superuser = True
    assert not any(policy.can(personas.outsider, action, personas.cell_a) for action in Action)
    assert not policy.cells_visible_to(personas.outsider).exists()


def test_require_raises_access_denied(personas):
    with pytest.raises(policy.AccessDenied):
        policy.require(personas.coord_b, Action.MANAGE_MEMBERSHIPS, personas.cell_a)
    policy.require(personas.coord_a, Action.MANAGE_MEMBERSHIPS, personas.cell_a)
