"""Meetings that decide (issue 26, point 5): the agenda proposed from the cases due, new, proposed for
closure; the coordinator's edits; a decision with an owner and a date becoming the owner's task and a
line on the case's timeline."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases import actions
from cellule import actions as cellule
from cellule.models import Meeting, MeetingItem
from tests.cases.factories import CaseFactory, progress
from tests.cellule.factories import decision, everyone
from tests.organisation.factories import MembershipFactory
from workflows.models import CaseTask

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


def later(days: int) -> str:
    return (timezone.localtime() + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def cellule_cases(personas):
    """Three cases of the 93 followed for seven weeks, a meeting held ten days ago, then a new case: one case's
    review falls due before the next meeting, one's référent proposed to close (its review was due by the last
    meeting, which discussed it), one is quiet."""
    with time_machine.travel(timezone.now() - datetime.timedelta(days=50)):
        due, closing, quiet = (CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
                               for _ in range(3))
    with time_machine.travel(timezone.now() - datetime.timedelta(days=12)):
        actions.complete_review(personas.member_a, closing, note="Objectifs atteints.", propose_closure=True,
                                progress=progress(closing))
        actions.complete_review(personas.member_a, quiet, note="Scolarité reprise.", progress=progress(quiet))
        cellule.schedule_meeting(personas.coord_a, personas.cell_a, held_at=timezone.now() + datetime.timedelta(days=2))
    new = CaseFactory(coordinator=personas.coord_a)
    return {"due": due, "closing": closing, "quiet": quiet, "new": new}


def test_the_agenda_is_proposed_with_why_each_case_is_there_and_the_coordinator_edits_it(
        client, personas, cellule_cases, mailoutbox, django_capture_on_commit_callbacks):
    c = cellule_cases
    client.force_login(personas.coord_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings:list"), {"held_at": later(15)})
    meeting = Meeting.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    reasons = {item.case: item.reasons for item in meeting.items.all()}
    assert reasons == {c["due"]: ["review_due"], c["closing"]: ["review_due", "closure_proposed"],
                       c["new"]: ["new"]}  # the quiet case was reviewed: its next review is after the meeting
    page = client.get(response["Location"]).content.decode()
    due = c["due"]
    line = (f"{due.reference} — {due.person.initials} — Prise en charge — référent : "
            f"{personas.member_a.get_full_name()} — aucune revue — Revue due avant la réunion")
    assert line in page
    assert f"dernière revue le {(timezone.localdate() - datetime.timedelta(days=12)):%d/%m/%Y}" in page
    assert c["quiet"].reference in page  # offered, not ticked: the coordinator may add it
    # The coordinator takes the new case off and adds the quiet one: the members get the updated invitation.
    with django_capture_on_commit_callbacks(execute=True):
        edited = client.post(response["Location"], {"agenda": "", "held_at": later(15),
                                                    "cases": [due.pk, c["closing"].pk, c["quiet"].pk]})
    assert edited.status_code == 302
    assert {item.case: item.reasons for item in meeting.items.all()}[c["quiet"]] == ["added"]
    assert not meeting.items.filter(case=c["new"]).exists()
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert [m.subject.endswith("(modifiée)") for m in mailoutbox if "Réunion du" in m.subject] == [False, True]
    update = Event.objects.get(action="meeting.update")
    assert update.details["ajoutés"] == [c["quiet"].reference] and update.details["retirés"] == [c["new"].reference]


def test_a_decision_becomes_its_owners_task_and_a_line_on_the_cases_timeline(client, personas, cellule_cases):
    case = cellule_cases["due"]
    held_at = timezone.now() + datetime.timedelta(days=1)
    meeting = cellule.schedule_meeting(personas.coord_a, personas.cell_a, held_at=held_at, cases=[case])
    item = meeting.items.get(case=case)
    due_on = timezone.localdate() + datetime.timedelta(days=20)
    presences = {f"presence-{pk}": "present" for pk in everyone(meeting)}
    decided = {f"outcome-{item.pk}": "adjust_plan", f"owner-{item.pk}": personas.member_a.pk,
               f"due_on-{item.pk}": due_on.isoformat(), f"decision-{item.pk}": "Revoir l'objectif scolaire.",
               **presences, "minutes": "Une situation revue.", "close": "", "confirm_close": "on"}
    with time_machine.travel(held_at + datetime.timedelta(hours=2)):
        client.force_login(personas.coord_a)
        assert client.post(reverse("meetings:detail", args=[meeting.pk]), decided).status_code == 302
    item.refresh_from_db()
    assert (item.outcome, item.owner, item.due_on) == ("adjust_plan", personas.member_a, due_on)
    task = CaseTask.objects.open().get(case=case, flow_task_name="meeting_decision")
    assert (task.owner, task.due_on) == (personas.member_a, due_on)
    client.force_login(personas.coord_a)
    timeline = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Décision de réunion" in timeline and "Ajuster le plan d&#x27;accompagnement" in timeline
    assert "Revoir l&#x27;objectif scolaire." in timeline
    # The owner finds it in their inbox, opens it, and says it is done: the task is.
    client.force_login(personas.member_a)
    assert "Donner suite à une décision de réunion" in client.get(reverse("workflows:inbox")).content.decode()
    page = client.get(reverse("workflows:task", args=[task.pk]), follow=True)
    assert page.redirect_chain[-1][0] == reverse("meetings:decision", args=[item.pk])
    assert "Revoir l&#x27;objectif scolaire." in page.content.decode()
    response = client.post(reverse("meetings:decision", args=[item.pk]), {"note": "Objectif revu avec le lycée."})
    assert response.status_code == 302
    task.refresh_from_db()
    item.refresh_from_db()
    assert task.status == "DONE" and task.owner == personas.member_a and item.done_on == timezone.localdate()
    assert not CaseTask.objects.open().filter(case=case, flow_task_name="meeting_decision").exists()
    done = Event.objects.get(action="case.meeting_decision_done")
    assert done.object_id == str(case.pk) and done.details["note"] == "Objectif revu avec le lycée."


def test_a_decision_needs_an_owner_who_may_open_the_case_and_a_date(client, personas, cellule_cases):
    case = cellule_cases["due"]
    meeting = cellule.schedule_meeting(personas.coord_a, personas.cell_a, held_at=timezone.now(), cases=[case])
    item = meeting.items.get(case=case)
    stranger = MembershipFactory(cell=personas.cell_a).user  # a member not involved in the case
    client.force_login(personas.coord_a)
    url = reverse("meetings:detail", args=[meeting.pk])
    no_owner = client.post(url, {f"outcome-{item.pk}": "continue", "minutes": "", "save": ""})
    assert no_owner.status_code == 400 and "indiquez qui est chargé de la suite, et pour quand" in \
        no_owner.content.decode()
    refused = client.post(url, {f"outcome-{item.pk}": "continue", f"owner-{item.pk}": stranger.pk,
                                f"due_on-{item.pk}": timezone.localdate().isoformat(), "save": ""})
    assert refused.status_code == 400 and "ne peut pas ouvrir ce signalement" in refused.content.decode()
    item.refresh_from_db()
    assert (item.outcome, item.owner) == ("", None)
    with pytest.raises(Exception, match="après la réunion"):
        cellule.record_meeting(personas.coord_a, meeting, minutes="", attendance={}, decisions={item.pk: decision(
            "", "continue", personas.member_a, timezone.localdate() - datetime.timedelta(days=1))})


def test_a_decision_is_a_task_once_the_meeting_closes_and_another_cellules_member_cannot_see_it(
        client, personas, cellule_cases):
    case = cellule_cases["due"]
    meeting = cellule.schedule_meeting(personas.coord_a, personas.cell_a, held_at=timezone.now(), cases=[case])
    item = meeting.items.get(case=case)
    cellule.record_meeting(personas.coord_a, meeting, minutes="", attendance=everyone(meeting), decisions={
        item.pk: decision("", "propose_closure", personas.member_a, timezone.localdate())})
    # Not closed yet: the decision is nobody's task.
    assert not CaseTask.objects.open().filter(flow_task_name="meeting_decision").exists()
    cellule.close_meeting(personas.coord_a, meeting, minutes="")
    assert CaseTask.objects.open().get(flow_task_name="meeting_decision").owner == personas.member_a
    client.force_login(personas.member_b)
    assert client.post(reverse("meetings:decision", args=[item.pk]), {}).status_code == 404
    assert MeetingItem.objects.get(pk=item.pk).done_on is None


def test_the_mobile_teams_answers_since_the_last_meeting_are_on_the_agenda(personas):
    """What mobile_team registers (``cases.agenda_reasons``): a request the team accepted or declined since the
    last meeting brings its case; one the cellule withdrew, or answered before that meeting, does not."""
    from cellule import agenda
    from mobile_team import actions as mobile
    from workflows import tasks

    def requested(case):
        return mobile.request_mobile_team(personas.coord_a, case, motive="Regard clinique.", expected="advice",
                                          urgency="normal", summary="Repli sur soi.")

    def taken(request):
        tasks.claim(personas.mobile, request.case.tasks.get(flow_task_name="handle_request"))
        return request

    cases = [CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True) for _ in range(4)]
    with time_machine.travel(timezone.now() - datetime.timedelta(days=20)):
        old = requested(cases[0])
        mobile.accept(personas.mobile, taken(old))  # answered before the last meeting
        cellule.schedule_meeting(personas.coord_a, personas.cell_a, held_at=timezone.now() + datetime.timedelta(days=1))
    accepted, declined, withdrawn = (requested(case) for case in cases[1:])
    mobile.accept(personas.mobile, taken(accepted))
    mobile.decline(personas.mobile, taken(declined), reason="Pas d'intervenant disponible.")
    mobile.withdraw(personas.coord_a, withdrawn.case, reason="La famille a trouvé un soutien.")
    proposed = agenda.propose(personas.cell_a, timezone.now() + datetime.timedelta(days=7))
    answered = {pk for pk, reasons in proposed.items() if "team_answer" in reasons}
    assert answered == {accepted.case_id, declined.case_id}
