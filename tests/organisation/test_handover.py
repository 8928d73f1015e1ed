"""Ending a membership hands over what the member holds: the composition page
lists it, the end is refused until a successor is named, then each case changes referent and the
tasks taken from the queue go back to it, in the same transaction as the end."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.status import STATUS

from audit.models import Event
from cases import event_texts
from cases.task_kinds import CONTACT_FAMILY
from organisation import actions
from organisation.errors import ActionRefused
from tests.cases.factories import CaseFactory
from tests.organisation.factories import MembershipFactory
from workflows import tasks

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def leaving(personas):
    """A member who follows a case in care and took a family contact from the queue."""
    member = MembershipFactory(cell=personas.cell_a, contacts_families=True, user__username="leaving",
                               user__first_name="Prénom-Leaving", user__last_name="Nom-Leaving")
    followed = CaseFactory(coordinator=personas.coord_a, referent=member.user, assigned=True)
    received = CaseFactory(coordinator=personas.coord_a)
    tasks.claim(member.user, received.tasks.get(flow_task_name=CONTACT_FAMILY))
    return member, followed, received


def end(client, membership, successor=None):
    return client.post(reverse("cell_detail", args=["93"]), {
        "end": "", "membership": membership.pk, "ends_on": YESTERDAY.isoformat(), "confirm": "on",
        "successor": successor.memberships.get().pk if successor else ""})


def test_the_end_is_refused_then_done_with_one_successor(client, personas, leaving):
    membership, followed, received = leaving
    client.force_login(personas.coord_a)
    page = client.get(reverse("cell_detail", args=["93"])).content.decode()
    assert f"Référent du signalement {followed.reference}" in page
    assert f"Tâche « Contacter la famille » du signalement {received.reference}" in page

    response = end(client, membership)
    assert response.status_code == 400
    assert "Prénom-Leaving Nom-Leaving suit encore des signalements ou détient des tâches" in response.content.decode()
    membership.refresh_from_db()
    assert membership.ends_on is None

    assert end(client, membership, successor=personas.member_a).status_code == 302
    membership.refresh_from_db()
    followed.refresh_from_db()
    assert membership.ends_on == YESTERDAY
    assert followed.referent == personas.member_a
    assert followed.tasks.open().get().owner == personas.member_a  # the care to set up followed the case
    contact = received.tasks.get(flow_task_name=CONTACT_FAMILY)
    assert (contact.status, contact.listed_owner) == (STATUS.NEW, None)  # back in the team's queue
    change = Event.objects.get(action="case.referent_change", object_id=str(followed.pk))
    event_texts.resolve([change])  # the reason is kept beside the trail, erased with the case
    assert change.details["motif"].startswith("Fin de participation de Prénom-Leaving Nom-Leaving")
    assert Event.objects.filter(action="task.release", object_id=str(contact.pk), actor=personas.coord_a).exists()
    assert Event.objects.filter(action="membership.update", object_id=str(membership.pk)).exists()
    client.force_login(personas.member_a)
    assert followed.reference in client.get(reverse("workflows:inbox")).content.decode()


@pytest.mark.parametrize("successor", ["leaving", "member_b", "former"])
def test_a_successor_outside_the_cellule_changes_nothing(client, personas, leaving, successor):
    membership, followed, _ = leaving
    client.force_login(personas.coord_a)
    response = end(client, membership, successor=membership.user if successor == "leaving"
                   else getattr(personas, successor))
    assert response.status_code == 400
    membership.refresh_from_db()
    followed.refresh_from_db()
    assert (membership.ends_on, followed.referent) == (None, membership.user)
    assert not Event.objects.filter(action="case.referent_change").exists()


def test_the_entry_point_refuses_without_a_successor(personas, leaving):
    membership, followed, _ = leaving
    with pytest.raises(ActionRefused, match="choisissez le membre"):
        actions.end_membership(personas.coord_a, membership, YESTERDAY)
    actions.end_membership(personas.coord_a, membership, YESTERDAY, successor=personas.coord_a)
    followed.refresh_from_db()
    assert followed.referent == personas.coord_a


def test_a_member_holding_nothing_leaves_without_a_successor(personas):
    membership = personas.member_a.memberships.get()
    actions.end_membership(personas.coord_a, membership, YESTERDAY)
    membership.refresh_from_db()
    assert membership.ends_on == YESTERDAY
