"""Entry points of the organisation: policy, validation, write and audit in one go."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from audit.models import Event
from organisation import actions as organisation
from organisation.models import Institution, Membership, Role
from organisation.policy import AccessDenied
from tests.organisation.factories import InstitutionFactory, UserFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


def new_membership(cell, **kwargs) -> Membership:
    values = {"user": UserFactory(), "cell": cell, "institution": InstitutionFactory(), "function": "Éducatrice",
              "role": Role.MEMBER, "starts_on": datetime.date(2026, 1, 1)}
    return Membership(**{**values, **kwargs})


def test_a_coordinator_adds_a_member_to_their_cell(personas):
    membership = organisation.save_membership(personas.coord_a, new_membership(personas.cell_a))
    event = Event.objects.get(action="membership.create")
    assert (event.actor, event.object_id, event.departement) == (personas.coord_a, str(membership.pk), "93")
    assert event.details["changements"]["function"] == {"avant": None, "après": "Éducatrice"}
    assert membership.history.count() == 1


@pytest.mark.parametrize("name", ["coord_b", "member_a", "inspector", "national", "mobile", "outsider"])
def test_others_cannot_add_members_to_the_cell(personas, name):
    with pytest.raises(AccessDenied):
        organisation.save_membership(getattr(personas, name), new_membership(personas.cell_a))
    assert not Membership.objects.filter(function="Éducatrice").exists()
    assert not Event.objects.filter(action="membership.create").exists()


# Separation of duties: who may give each role (the rest may not). The technical administrator
# never gives a role that opens cases nor the national one, and nobody gives a role to themselves.
GIVERS = {
    Role.ADMIN: {"admin"},
    Role.NATIONAL: {"national"},
    Role.INSPECTOR: {"national"},
    Role.MOBILE_TEAM: {"national"},
    Role.COORDINATOR: {"national", "coord_a"},
    Role.MEMBER: {"coord_a"},
}
PEOPLE = ["coord_a", "member_a", "coord_b", "member_b", "mobile", "inspector", "national", "admin", "outsider"]


@pytest.mark.parametrize("role", list(GIVERS))
@pytest.mark.parametrize("giver", PEOPLE)
def test_each_role_is_given_only_by_those_whose_duty_it_is(personas, role, giver):
    membership = new_membership(personas.cell_a if role in Role.cell_roles() else None, role=role)
    if giver in GIVERS[role]:
        organisation.save_membership(getattr(personas, giver), membership)
        assert Event.objects.filter(action="membership.create", actor=getattr(personas, giver)).count() == 1
    else:
        with pytest.raises(AccessDenied):
            organisation.save_membership(getattr(personas, giver), membership)
        assert not Membership.objects.filter(user=membership.user).exists()


@pytest.mark.parametrize("name,role", [("admin", Role.COORDINATOR), ("admin", Role.ADMIN),
                                       ("national", Role.INSPECTOR), ("coord_a", Role.COORDINATOR)])
def test_nobody_gives_a_role_to_themselves(personas, name, role):
    """Not even a role they could give to someone else: the technical administrator cannot make itself
    coordinator, nor the national officer inspector, nor a coordinator coordinator once more."""
    me = getattr(personas, name)
    with pytest.raises(AccessDenied):
        organisation.save_membership(me, new_membership(personas.cell_a if role in Role.cell_roles() else None,
                                                        role=role, user=me))
    own = me.memberships.get()
    held = own.role
    own.role = Role.ADMIN if role != Role.ADMIN else Role.NATIONAL
    with pytest.raises(AccessDenied):  # nor changes their own
        organisation.save_membership(me, own)
    assert list(me.memberships.values_list("role", flat=True)) == [held]


def test_a_role_changed_to_one_the_giver_may_give_must_have_been_theirs_to_give(personas):
    """A coordinator cannot turn the national officer's membership into a member of their cellule."""
    national = personas.national.memberships.get()
    national.role, national.cell = Role.MEMBER, personas.cell_a
    with pytest.raises(AccessDenied):
        organisation.save_membership(personas.coord_a, national)
    assert personas.national.memberships.get().role == Role.NATIONAL


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"role": Role.NATIONAL}, "cell"),
        ({"ends_on": datetime.date(2025, 1, 1)}, "ends_on"),
        ({"function": ""}, "function"),
        ({"function": "x" * 129}, "function"),
    ],
)
def test_invalid_memberships_are_refused_with_a_french_message(personas, changes, field):
    giver = personas.national if changes.get("role") == Role.NATIONAL else personas.coord_a
    with pytest.raises(ValidationError) as error:
        organisation.save_membership(giver, new_membership(personas.cell_a, **changes))
    assert field in error.value.message_dict
    assert not Membership.objects.filter(starts_on=datetime.date(2026, 1, 1)).exists()
    assert not Event.objects.filter(action="membership.create").exists()


def test_changing_a_membership_records_before_and_after(personas):
    membership = Membership.objects.get(user=personas.member_a)
    membership.function = "Psychologue"
    organisation.save_membership(personas.coord_a, membership)
    event = Event.objects.get(action="membership.update")
    assert event.details["changements"] == {"function": {"avant": "Chargé de mission", "après": "Psychologue"}}


def test_reference_data_is_for_the_admin_only(personas):
    with pytest.raises(AccessDenied):
        organisation.save_reference(personas.coord_a, Institution(name="Mission locale", category="association"))
    organisation.save_reference(personas.admin, Institution(name="Mission locale", category="association"))
    assert Event.objects.get(action="institution.create").actor == personas.admin


def test_a_password_never_reaches_the_trail(personas):
    user = UserFactory.build(username="nouvel_agent")
    user.set_password("un-secret-bien-garde")
    organisation.save_reference(personas.admin, user)
    details = Event.objects.get(action="user.create").details["changements"]
    assert "password" not in details and details["username"]["après"] == "nouvel_agent"
