"""Changing a case's referent: coordinators only, with a reason; the referent's
open tasks of the case follow, and a coordinator can put a member's task back in the queue. Whoever a
task leaves this way once held it: they open the case with a motive (``cases.rules``)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from viewflow.workflow.status import STATUS

from audit.models import Event
from cases import actions
from cases.models import EventText, State
from cases.task_kinds import CONTACT_FAMILY, SET_UP_CARE
from organisation.errors import ActionRefused
from organisation.policy import AccessDenied
from tests.cases.factories import CaseFactory
from tests.organisation.factories import MembershipFactory
from workflows import tasks

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


@pytest.fixture
def colleague(personas):
    return MembershipFactory(cell=personas.cell_a, user__username="colleague", user__first_name="Prénom-Colleague",
                             user__last_name="Nom-Colleague", user__email="colleague@example.org").user


def test_a_coordinator_changes_the_referent_and_the_tasks_follow(client, personas, colleague, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    client.force_login(personas.coord_a)
    url = reverse("cases:action", args=[case.pk, "changer-referent"])
    assert "Changer de référent" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    form = client.get(url).content.decode()
    offered = form.split('name="referent"')[1].split("</select>")[0]
    assert "Nom-Colleague" in offered and "Nom-Member-a" not in offered  # the current referent is not offered
    membership = colleague.memberships.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"referent": membership.pk, "reason": "Congé longue durée."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.referent) == (State.ASSIGNED, colleague)
    task = case.tasks.open().get()
    assert (task.flow_task_name, task.owner, task.listed_owner, task.status) == (
        SET_UP_CARE, colleague, colleague, STATUS.ASSIGNED)
    # the task handed over, and the naming as référent
    assert [m.to for m in mailoutbox] == [["colleague@example.org"]] * 2
    assert [m.subject.split(" — ")[0] for m in mailoutbox] == [
        "[Cellule de suivi] Nouvelle tâche : Démarrer la prise en charge",
        "[Cellule de suivi] Un signalement vous est confié"]
    event = Event.objects.get(action="case.referent_change", object_id=str(case.pk))
    assert EventText.objects.get(pk=event.details["motif"]["texte"]).text == "Congé longue durée."
    assert event.details["référent"]["après"].endswith("(colleague)")
    assert event.details["tâches"] == ["Démarrer la prise en charge"]
    # The new referent's inbox shows the task, the former one's does not; the new one does it.
    client.force_login(colleague)
    assert case.reference in client.get(reverse("workflows:inbox")).content.decode()
    client.force_login(personas.member_a)
    assert case.reference not in client.get(reverse("workflows:inbox")).content.decode()
    # No longer theirs: they once held one of its tasks, so they open it with a motive (cases.rules).
    assert "/motif/" in client.get(reverse("cases:detail", args=[case.pk]))["Location"]


def test_in_care_the_review_follows_the_referent(personas, colleague):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    tasks.sync(case, personas.coord_a)
    held = set(case.tasks.open().filter(owner=personas.member_a).values_list("flow_task_name", flat=True))
    actions.change_referent(personas.coord_a, case, referent=colleague, reason="Réorganisation")
    assert not case.tasks.open().filter(owner=personas.member_a).exists()
    assert set(case.tasks.open().filter(owner=colleague).values_list("flow_task_name", flat=True)) == held


@pytest.mark.parametrize("who", ["member_a", "coord_b"])
def test_only_the_cellule_coordinators_change_the_referent(personas, colleague, who):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    with pytest.raises(AccessDenied):
        actions.change_referent(getattr(personas, who), case, referent=colleague, reason="Motif")
    case.refresh_from_db()
    assert case.referent == personas.member_a


def test_a_member_is_refused_the_page(client, personas, colleague):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    client.force_login(personas.member_a)
    response = client.post(reverse("cases:action", args=[case.pk, "changer-referent"]),
                           {"referent": colleague.memberships.get().pk, "reason": "Motif"})
    assert response.status_code == 403
    client.force_login(personas.coord_b)
    assert client.get(reverse("cases:action", args=[case.pk, "changer-referent"])).status_code == 404


@pytest.mark.parametrize(("referent", "reason", "message"), [
    ("member_a", "Motif", "un autre référent"),
    ("member_b", "Motif", "membre de la cellule"),
    ("outsider", "Motif", "membre de la cellule"),
    ("former", "Motif", "membre de la cellule"),
    ("colleague", "  ", "motif du changement"),
])
def test_bad_input_changes_nothing(personas, colleague, referent, reason, message):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    people = {"colleague": colleague}
    with pytest.raises(ValidationError, match=message):
        actions.change_referent(personas.coord_a, case, referent=people.get(referent) or getattr(personas, referent),
                                reason=reason)
    case.refresh_from_db()
    assert case.referent == personas.member_a
    assert case.tasks.open().get().owner == personas.member_a
    assert not Event.objects.filter(action="case.referent_change").exists()


@pytest.mark.parametrize("state", ["received", "family_contacted", "closed"])
def test_a_case_without_a_referent_to_replace_is_refused(personas, colleague, state):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, state=state)
    with pytest.raises(ActionRefused):
        actions.change_referent(personas.coord_a, case, referent=colleague, reason="Motif")


def test_the_form_shows_the_refusal_in_french(client, personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    client.force_login(personas.coord_a)
    response = client.post(reverse("cases:action", args=[case.pk, "changer-referent"]), {"referent": "", "reason": ""})
    assert response.status_code == 400
    assert "Ce champ est obligatoire" in response.content.decode()


def test_a_coordinator_puts_a_members_task_back_in_the_queue(client, personas):
    member = MembershipFactory(cell=personas.cell_a, contacts_families=True, user__username="contact").user
    case = CaseFactory(coordinator=personas.coord_a)
    task = case.tasks.open().get(flow_task_name=CONTACT_FAMILY)
    tasks.claim(member, task)
    client.force_login(personas.coord_a)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Remettre dans la file" in page
    response = client.post(reverse("workflows:release", args=[task.pk]))
    assert response.url == reverse("cases:detail", args=[case.pk])
    task.refresh_from_db()
    assert (task.status, task.owner, task.listed_owner) == (STATUS.NEW, None, None)
    assert Event.objects.filter(action="task.release", actor=personas.coord_a).exists()
    # A member may not release a colleague's task: it is not even found.
    tasks.claim(member, task)
    client.force_login(personas.member_a)
    assert client.post(reverse("workflows:release", args=[task.pk])).status_code == 404
    assert "Remettre dans la file" not in client.get(reverse("cases:detail", args=[case.pk]),
                                                     follow=True).content.decode()


@pytest.mark.parametrize("how", ["put back", "given"])
def test_whoever_a_task_left_opens_the_case_with_a_motive(client, personas, how):
    """A member takes a family contact, records a family not reached, then puts the task back (or a
    coordinator gives it to someone else): they once held one of the case's tasks and open it with a
    motive, as after doing it, and find it in their list. It answered "Page introuvable" (bench/load.py's
    404s on case pages: the task's current holder alone was remembered)."""
    member = MembershipFactory(cell=personas.cell_a, contacts_families=True, user__username="contact").user
    case = CaseFactory(coordinator=personas.coord_a)
    task = tasks.claim(member, case.tasks.open().get(flow_task_name=CONTACT_FAMILY))
    actions.record_family_contact(member, case, on=case.received_on, channel="phone", outcome="unreachable")
    if how == "put back":
        tasks.release(member, task)
    else:
        tasks.give(personas.coord_a, task, personas.coord_a)
    client.force_login(member)
    page = reverse("cases:detail", args=[case.pk])
    assert "/motif/" in client.get(page)["Location"]
    client.post(reverse("cases:motive", args=[case.pk]), {"reason": "meeting", "suivant": page})
    assert client.get(page).status_code == 200
    read = Event.objects.filter(action="case.view", actor=member).get()
    assert read.details["motif"] == "Préparation d'une réunion de la cellule"
    assert case.reference in client.get(reverse("cases:list")).content.decode()
    # A colleague who never held one of its tasks still finds nothing.
    client.force_login(MembershipFactory(cell=personas.cell_a, contacts_families=True).user)
    assert client.get(page).status_code == 404
