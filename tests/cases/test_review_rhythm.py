"""The follow-up's rhythm, through HTTP as the référent and the coordinator meet it: the start of care sets
the next review at the cellule's rhythm, each review sets the next one (the référent's date, or the
rhythm's), and the review task falls due that day; a case with no action for the cellule's number of
days is flagged on the coordinator's dashboard and in their daily digest, with its référent."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases.models import Case
from tests.cases.factories import CaseFactory, progress_form
from workflows.models import CaseTask

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


def review_task(case: Case) -> CaseTask:
    return CaseTask.objects.open().get(case=case, flow_task_name="review")


@pytest.fixture
def in_care(personas):
    personas.cell_a.review_days_in_care = 21
    personas.cell_a.save()
    return CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)


def test_the_start_of_care_sets_the_next_review_at_the_cellules_rhythm(in_care):
    expected = timezone.localdate() + datetime.timedelta(days=21)
    assert Case.objects.get(pk=in_care.pk).next_review_on == expected
    assert review_task(in_care).due_on == expected


def test_a_review_sets_the_next_one_and_the_task_falls_due_then(client, personas, in_care):
    client.force_login(personas.member_a)
    url = reverse("cases:action", args=[in_care.pk, "revue"])
    page = client.get(url).content.decode()
    offered = (timezone.localdate() + datetime.timedelta(days=21)).isoformat()
    assert f'value="{offered}"' in page  # the cellule's rhythm, offered
    chosen = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(url, {"note": "Scolarité reprise.", "next_review_on": chosen.isoformat(),
                                 **progress_form(in_care)})
    assert response.status_code == 302
    assert Case.objects.get(pk=in_care.pk).next_review_on == chosen and review_task(in_care).due_on == chosen
    assert Event.objects.filter(action="case.review").latest("id").details["prochaine_revue"] == chosen.isoformat()
    page = client.get(reverse("cases:detail", args=[in_care.pk])).content.decode()
    assert f"prochaine revue le {chosen:%d/%m/%Y}" in page
    with time_machine.travel(chosen + datetime.timedelta(days=1)):
        assert review_task(in_care).is_overdue


@pytest.mark.parametrize("days", [0, -3, 184])
def test_a_next_review_out_of_bounds_is_refused(client, personas, in_care, days):
    client.force_login(personas.member_a)
    chosen = timezone.localdate() + datetime.timedelta(days=days)
    response = client.post(reverse("cases:action", args=[in_care.pk, "revue"]),
                           {"note": "Point.", "next_review_on": chosen.isoformat(), **progress_form(in_care)})
    assert response.status_code == 400 and "La prochaine revue se prévoit après aujourd" in response.content.decode()
    assert not in_care.followups.exists() and review_task(in_care).due_on == timezone.localdate() + \
        datetime.timedelta(days=21)


def test_a_case_with_no_action_for_the_cellules_days_is_flagged_with_its_referent(
        client, personas, mailoutbox, django_capture_on_commit_callbacks):
    personas.cell_a.stagnant_days = 30
    personas.cell_a.save()
    with time_machine.travel(timezone.now() - datetime.timedelta(days=45)):
        still = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    moving = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    client.force_login(personas.member_a)  # reads are no action
    client.get(reverse("cases:detail", args=[still.pk]))
    client.force_login(personas.coord_a)
    page = client.get(reverse("reports:dashboard")).content.decode()
    table = page.split('id="stalled"')[1].split("</table>")[0]
    assert still.reference in table and moving.reference not in table and personas.member_a.get_full_name() in table
    assert Event.objects.filter(action="dashboard.view").latest("id").details["signalements"] == [still.reference]

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_overdue_digest", stdout=io.StringIO())
    (mail,) = [m for m in mailoutbox if personas.coord_a.email in m.to]
    assert "Signalements sans action depuis plus de 30 jours" in mail.body and still.reference in mail.body
    assert moving.reference not in mail.body and personas.member_a.get_full_name() in mail.body


def test_a_review_records_where_each_objective_stands(client, personas, in_care):
    from cases.actions import plan

    first = in_care.objectives.get()  # the care started with it
    plan.edit_objective(personas.member_a, first, domain="schooling", text="Retour en classe")
    second = plan.add_objective(personas.member_a, in_care, domain="family", text="Apaiser les relations")
    client.force_login(personas.member_a)
    url = reverse("cases:action", args=[in_care.pk, "revue"])
    refused = client.post(url, {"note": "Point.", f"avancement_{first.pk}": "advancing"})
    assert refused.status_code == 400 and not in_care.followups.exists()
    response = client.post(url, {"note": "Point.", f"avancement_{first.pk}": "reached",
                                 f"avancement_{second.pk}": "setback"})
    assert response.status_code == 302
    review = in_care.followups.get()
    assert dict(review.progress.values_list("objective_id", "progress")) == {first.pk: "reached", second.pk: "setback"}
    assert Event.objects.filter(action="case.review").latest("id").details["avancement"] == {
        str(first.pk): "reached", str(second.pk): "setback"}
    page = client.get(reverse("cases:detail", args=[in_care.pk])).content.decode()
    assert "Retour en classe : atteint" in page and "Apaiser les relations : en recul" in page
