"""A task's page with its case, through HTTP as a référent works through their tasks: the page shows
what they need of the file to act (young person, care under way, last review and contact, consents,
the mobile team's request), and once the task is done the case page offers their next task."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import actions
from tests.cases.factories import CaseFactory, progress, progress_form
from workflows.models import CaseTask

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


def test_a_task_page_shows_its_case_and_then_offers_the_next_task(client, personas):
    first = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    actions.complete_review(personas.member_a, first, note="Scolarité reprise, lien avec la famille.",
                            progress=progress(first), next_review_on=timezone.localdate() + datetime.timedelta(days=5))
    actions.record_consent(personas.member_a, first, party="family", status="given", on=timezone.localdate())
    second = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    client.force_login(personas.member_a)
    page = client.get(reverse("cases:action", args=[first.pk, "revue"])).content.decode()
    brief = page.split('id="brief-title"')[1].split("</section>")[0]
    assert "Lucas DURAND" in brief and "Accompagnement social" in brief and "Association Sauvegarde" in brief
    assert "Scolarité reprise" in brief and "Famille jointe" in brief and "Famille : donnée" in brief
    assert "aucune demande" in brief

    response = client.post(reverse("cases:action", args=[first.pk, "revue"]),
                           {"note": "Point d'étape.", **progress_form(first)})
    following = CaseTask.objects.open().filter(owner=personas.member_a).order_by("due_on", "pk").first()
    assert following.case_id == second.pk  # the set-up of care, due before the next review
    assert response.status_code == 302 and response.url.endswith("?tache-suivante=1")
    page = client.get(response.url).content.decode()
    assert "Votre tâche suivante : Démarrer la prise en charge — " + second.reference in page
    assert reverse("workflows:task", args=[following.pk]) in page


def test_only_the_users_own_task_is_offered(client, personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    client.force_login(personas.coord_a)  # the set-up of care is member_a's, not theirs
    url = reverse("cases:detail", args=[case.pk])
    for value in ("1", "abc", "9" * 30, ""):
        page = client.get(url, {"tache-suivante": value})
        assert page.status_code == 200 and 'id="next-task"' not in page.content.decode()


@pytest.mark.parametrize("planner,slug", [("coord_a", "objectif"), ("member_a", "prise-en-charge")])
def test_an_orientation_and_a_plan_start_the_care_once(client, personas, planner, slug):
    """The coordinator orients the assigned case to a partner; then the coordinator writes the plan's first
    objective, or the référent does on their start-of-care task, which shows the measure and asks only for
    the objective: either way the case is « Prise en charge », the task done, one measure on file."""
    from cases.models import Case
    from tests.organisation.factories import InstitutionFactory

    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    institution = InstitutionFactory(name="Maison des adolescents", category="health", partner=True)
    client.force_login(personas.coord_a)
    response = client.post(reverse("cases:action", args=[case.pk, "mesure"]), {
        "modality": "psychological", "beneficiary": "young_person", "institution": institution.pk,
        "starts_on": timezone.localdate().isoformat(), "adhesion": "young_person"})
    assert response.status_code == 302 and Case.objects.get(pk=case.pk).state == "assigned"  # no plan yet
    client.force_login(personas.member_a)
    page = client.get(reverse("cases:action", args=[case.pk, "prise-en-charge"])).content.decode()
    assert "Maison des adolescents" in page.split('id="brief-title"')[1]  # what is already set up
    form = page.split('id="brief-title"')[1].split("</section>", 1)[1]
    assert 'name="modality"' not in form and 'name="domain"' in form and 'name="text"' in form
    client.force_login(getattr(personas, planner))
    response = client.post(reverse("cases:action", args=[case.pk, slug]),
                           {"domain": "health", "text": "Reprendre un suivi psychologique régulier."})
    case = Case.objects.get(pk=case.pk)
    assert response.status_code == 302 and case.state == "in_care" and case.care_measures.count() == 1
    assert case.objectives.get().text == "Reprendre un suivi psychologique régulier."
    assert not CaseTask.objects.open().filter(case=case, flow_task_name="set_up_care").exists()
    assert CaseTask.objects.open().get(case=case, flow_task_name="review").owner == personas.member_a
    assert case.next_review_on is not None


def test_the_start_of_care_asks_for_the_plan_and_the_measure_it_lacks(client, personas):
    """Without a measure nor a plan, the référent's form asks for both; the plan alone is refused in French
    and changes nothing."""
    from cases.models import Case

    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    client.force_login(personas.member_a)
    url = reverse("cases:action", args=[case.pk, "prise-en-charge"])
    page = client.get(url).content.decode()
    assert 'name="modality"' in page and 'name="domain"' in page
    response = client.post(url, {"domain": "health", "text": "Suivi psychologique."})
    assert response.status_code == 400 and "Ce champ est obligatoire" in response.content.decode()
    case = Case.objects.get(pk=case.pk)
    assert case.state == "assigned" and not case.objectives.exists() and not case.care_measures.exists()
