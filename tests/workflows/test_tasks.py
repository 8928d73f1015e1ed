"""The open tasks of a case always match its state; claiming and releasing ask the policy."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cases import actions
from organisation.errors import ActionRefused
from organisation.policy import AccessDenied
from tests.cases.factories import CaseFactory, bilan, progress, transferred
from tests.organisation.factories import MembershipFactory
from workflows import kinds, tasks
from workflows.models import CaseProcess, CaseTask
from workflows.rules import TaskRight

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

EXPECTED = {
    "received": {("contact_family", None)},
    "family_contacted": {("name_referent", None)},
    "assigned": {("set_up_care", "member_a")},
    "in_care": {("review", "member_a")},
    "mobile_team_requested": {("review", "member_a"), ("handle_request", None)},
    "closed": set(),
}


def open_tasks(case) -> set:
    return {
        (t.flow_task_name, t.owner.username if t.owner else None) for t in case.tasks.open().select_related("owner")
    }


@pytest.mark.parametrize("state", EXPECTED)
def test_the_open_tasks_match_the_state(personas, state):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, state=state)
    assert open_tasks(case) == EXPECTED[state]


def test_each_case_is_asked_its_own_questions(personas):
    """The questions' statement is compiled once per state (``kinds.expected``): the case is its parameter."""
    pending, other = (CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
                      for _ in range(2))
    actions.transfer(personas.coord_a, pending, destination=personas.cell_b.departement, note="Déménagement.")
    assert (kinds.expected(pending), kinds.expected(other)) == ({"review", "accept_transfer"}, {"review"})
    assert open_tasks(pending) == {("review", "member_a"), ("accept_transfer", None)}


def test_closing_cancels_and_reopening_starts_again(personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    review = case.tasks.open().get()
    actions.close(personas.coord_a, case, reason="left", note="Départ.", measures_outcome="interrupted",
                  bilan=bilan(case))
    review.refresh_from_db()
    assert review.status == "CANCELED" and open_tasks(case) == set()
    actions.reopen(personas.coord_a, case, reason="Retour de la famille.")
    assert open_tasks(case) == {("contact_family", None)}


def test_the_process_follows_the_case_so_viewflow_reads_the_truth(personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    assert (case.process.status, case.process.finished) == ("NEW", None)
    actions.close(personas.coord_a, case, reason="left", note="Départ.", measures_outcome="interrupted",
                  bilan=bilan(case))
    case.process.refresh_from_db()
    assert case.process.status == "DONE" and case.process.finished is not None
    assert not CaseProcess.objects.filter(status="NEW", case=case).exists()
    actions.reopen(personas.coord_a, case, reason="Retour de la famille.")
    case.process.refresh_from_db()
    assert (case.process.status, case.process.finished) == ("NEW", None)
    copy = transferred(personas, case)
    case.process.refresh_from_db()
    assert (case.process.status, copy.process.status) == ("DONE", "NEW")


def test_transferring_cancels_here_and_starts_there(personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    copy = transferred(personas, case)
    assert open_tasks(case) == set()
    assert open_tasks(copy) == {("contact_family", None)}


def test_a_review_opens_the_next_one_and_a_closure_proposal_asks_the_coordinators(personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    first = case.tasks.open().get()
    actions.complete_review(personas.member_a, case, note="Assiduité au suivi.", propose_closure=True,
                            progress=progress(case))
    first.refresh_from_db()
    assert (first.status, first.owner) == ("DONE", personas.member_a)
    assert open_tasks(case) == {("review", "member_a"), ("decide_closure", None)}
    actions.decline_closure(personas.coord_a, case, note="Encore trois mois.")
    assert open_tasks(case) == {("review", "member_a")}
    assert case.tasks.get(flow_task_name="decide_closure").owner == personas.coord_a


def test_due_dates_come_from_the_settings(personas, settings):
    settings.TASK_DUE_DAYS = {**settings.TASK_DUE_DAYS, "name_referent": 3}
    case = CaseFactory(coordinator=personas.coord_a, family_contacted=True)
    contact = case.tasks.get(flow_task_name="contact_family")
    assert contact.due_on == case.received_on + datetime.timedelta(days=7)  # counted from the receipt
    assert case.tasks.get(flow_task_name="name_referent").due_on == timezone.localdate() + datetime.timedelta(days=3)


def contact_task(personas):
    case = CaseFactory(coordinator=personas.coord_a)
    return case.tasks.get(flow_task_name="contact_family")


def test_coordinators_and_designated_members_claim_family_contacts(personas):
    designated = MembershipFactory(cell=personas.cell_a, contacts_families=True, user__username="designee").user
    task = contact_task(personas)
    with pytest.raises(AccessDenied):
        tasks.claim(personas.member_a, task)  # a member not designated by the coordinators
    tasks.claim(designated, task)
    task.refresh_from_db()
    assert (task.status, task.owner) == ("ASSIGNED", designated)
    with pytest.raises(ActionRefused, match=f"déjà été prise par {designated.get_full_name()}"):
        tasks.claim(personas.coord_a, task)


@pytest.mark.parametrize("name", ["coord_b", "member_b", "inspector", "national", "mobile", "outsider"])
def test_nobody_outside_the_cellule_claims_its_tasks(personas, name):
    task = contact_task(personas)
    with pytest.raises(AccessDenied):
        tasks.claim(getattr(personas, name), task)
    task.refresh_from_db()
    assert task.status == "NEW"


def test_the_queue_is_the_policys_not_viewflows(personas, client):
    task = contact_task(personas)
    # Rights are declared once, in the policy: the task carries no viewflow permission (viewflow's
    # own permissions knew nothing of départements) …
    assert task.owner_permission is None
    # … and the queue goes through the access policy.
    client.force_login(personas.coord_b)
    assert task.case.reference not in client.get("/taches/file/").content.decode()
    client.force_login(personas.coord_a)
    assert task.case.reference in client.get("/taches/file/").content.decode()


def test_release_puts_the_task_back_for_its_holder_or_a_coordinator(personas):
    designated = MembershipFactory(cell=personas.cell_a, contacts_families=True, user__username="designee").user
    task = contact_task(personas)
    tasks.claim(designated, task)
    with pytest.raises(AccessDenied):
        tasks.release(personas.member_a, task)
    with pytest.raises(AccessDenied):
        tasks.release(personas.coord_b, task)
    tasks.release(personas.coord_a, task)
    task.refresh_from_db()
    assert (task.status, task.owner) == ("NEW", None)
    with pytest.raises(ActionRefused):
        tasks.release(personas.coord_a, task)


def test_executing_a_task_needs_holding_it(personas):
    from organisation import policy

    task = contact_task(personas)
    assert not policy.can(personas.coord_a, TaskRight.EXECUTE_TASK, task)
    task = tasks.claim(personas.coord_a, task)
    assert policy.can(personas.coord_a, TaskRight.EXECUTE_TASK, task)
    assert not policy.can(personas.coord_b, TaskRight.EXECUTE_TASK, task)


def test_the_referent_is_mailed_the_task_given_to_them(personas, django_capture_on_commit_callbacks):
    case = CaseFactory(coordinator=personas.coord_a, family_contacted=True)
    with django_capture_on_commit_callbacks(execute=True):
        actions.assign(personas.coord_a, case, referent=personas.member_a)
    # The task, and the naming as référent: two events, two subjects.
    assert [m.to for m in mail.outbox] == [[personas.member_a.email]] * 2
    assert sorted(m.subject for m in mail.outbox) == [
        f"[Cellule de suivi] Nouvelle tâche : Démarrer la prise en charge — {case.reference}",
        f"[Cellule de suivi] Un signalement vous est confié — {case.reference}"]
    assert all(case.person.last_name not in m.body for m in mail.outbox)


def test_the_overdue_digest_goes_to_holders_and_to_coordinators_for_the_queue(personas, run_queue):
    CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    CaseFactory(coordinator=personas.coord_a)
    run_queue()  # the e-mails of the tasks given, out of the way
    mail.outbox.clear()
    with time_machine.travel(timezone.localdate() + datetime.timedelta(days=40)):
        call_command("send_overdue_digest", stdout=StringIO())
        run_queue()
    digests = [m for m in mail.outbox if "signalée" not in m.subject]  # the escalations' e-mails apart
    assert sorted(m.to[0] for m in digests) == sorted([personas.member_a.email, personas.coord_a.email])
    assert all("en retard" in m.subject for m in mail.outbox)
    assert CaseTask.objects.overdue(timezone.localdate() + datetime.timedelta(days=40)).count() == 2


def test_a_familys_interview_request_gives_the_coordinators_a_task_until_it_is_answered(personas):
    from cellule import actions as cellule

    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    request = cellule.record_interview_request(personas.coord_a, case, with_whom="prefet", requested_by="Mère",
                                               channel="letter", requested_on=timezone.localdate())
    task = case.tasks.open().get(flow_task_name="answer_interview")
    assert (task.owner, task.due_on) == (None, timezone.localdate() + datetime.timedelta(days=8))
    with pytest.raises(AccessDenied):
        tasks.claim(personas.member_a, task)
    cellule.update_interview_request(personas.coord_a, case, request, status="held",
                                     held_on=timezone.localdate(), outcome="Entretien tenu avec le préfet.")
    task.refresh_from_db()
    assert (task.status, task.owner) == ("DONE", personas.coord_a)
    assert open_tasks(case) == {("review", "member_a")}
