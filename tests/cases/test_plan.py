"""The accompaniment plan and the end-of-support bilan, through the pages: the référent and the
coordinators build the plan, a partner updates only the actions their measure carries, the bilan is
asked at the closure of a case in care, and the monthly report counts it."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases.models import Bilan, Objective, ObjectiveResult, PlanAction
from reporting.figures import Month, compute
from reporting.national import consolidated
from tests.cases.factories import CaseFactory
from tests.organisation.factories import InstitutionFactory, MembershipFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

TODAY = timezone.localdate()


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def planned(client, personas):
    """A case in care in the 93, member_a its référent, started with an objective in schooling; its plan
    built through the case page: the objective in schooling with an action of the référent and one carried
    by the association's measure, and an objective in health with an action carried by the PJJ's measure."""
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    association = case.care_measures.get()
    pjj = InstitutionFactory(name="PJJ Seine-Saint-Denis", category="state", partner=True)
    client.force_login(personas.coord_a)
    assert client.post(reverse("cases:action", args=[case.pk, "mesure"]), {
        "modality": "educational", "beneficiary": "young_person", "institution": pjj.pk,
        "starts_on": TODAY.isoformat(), "adhesion": "family"}).status_code == 302
    client.force_login(personas.member_a)
    response = client.post(reverse("cases:action", args=[case.pk, "objectif"]),
                           {"domain": "health", "text": "Suivi psychologique régulier"})
    assert response.status_code == 302, text(response)
    school, health = case.objectives.order_by("pk")
    due = (TODAY + datetime.timedelta(days=30)).isoformat()
    for data in ({"objective": school.pk, "what": "Rencontrer le CIO", "owner": personas.member_a.pk},
                 {"objective": school.pk, "what": "Inscription au lycée", "measure": association.pk},
                 {"objective": health.pk, "what": "Consultation à la maison des ados",
                  "measure": case.care_measures.get(institution=pjj).pk}):
        response = client.post(reverse("cases:action", args=[case.pk, "action-plan"]),
                               {"owner": "", "institution": "", "measure": "", "status": "planned", "due_on": due,
                                **data})
        assert response.status_code == 302, text(response)
    partner = MembershipFactory(cell=personas.cell_a, institution=association.institution,
                                user__first_name="Travailleur", user__last_name="Social").user
    return case, partner, pjj


def test_a_plan_is_built_with_objectives_and_actions_and_shown_on_the_case_page(client, personas, planned):
    case, partner, pjj = planned
    actions = {a.what: a for a in PlanAction.objects.filter(objective__case=case)}
    assert actions["Rencontrer le CIO"].owner == personas.member_a
    assert actions["Inscription au lycée"].institution == case.care_measures.get(modality="social").institution
    assert actions["Consultation à la maison des ados"].institution == pjj
    client.force_login(personas.coord_a)
    page = text(client.get(reverse("cases:detail", args=[case.pk])))
    assert "Plan d'accompagnement" in page
    assert "Scolarité et formation : Reprendre une scolarité" in page
    assert "Objectif ajouté au plan" in page and "Action ajoutée au plan" in page  # on the timeline
    # Versioned: the history keeps each version.
    school = case.objectives.get(domain="schooling")
    response = client.post(reverse("cases:record_action", args=[case.pk, "modifier-objectif", school.pk]),
                           {"domain": "schooling", "text": "Reprendre une scolarité en lycée professionnel"})
    assert response.status_code == 302
    assert [h.text for h in school.history.order_by("history_id")] == [
        "Reprendre une scolarité régulière.", "Reprendre une scolarité en lycée professionnel"]
    assert "Reprendre une scolarité en lycée professionnel" in text(client.get(reverse("cases:detail",
                                                                                       args=[case.pk])))


def test_a_partner_updates_only_the_actions_of_their_measure(client, personas, planned):
    case, partner, _ = planned
    theirs = PlanAction.objects.get(objective__case=case, what="Inscription au lycée")
    client.force_login(partner)
    page = text(client.get(reverse("cases:detail", args=[case.pk])))
    assert "Inscription au lycée" in page
    assert "Rencontrer le CIO" not in page and "Consultation à la maison des ados" not in page
    prefix = f"action-{theirs.pk}"
    response = client.post(reverse("cases:partner_action", args=[case.pk, theirs.pk]),
                           {f"{prefix}-status": "ongoing", f"{prefix}-note": "Dossier déposé."})
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert (theirs.status, theirs.note) == ("ongoing", "Dossier déposé.")
    assert Event.objects.filter(action="case.plan_action_update", actor=partner).exists()
    for other in PlanAction.objects.filter(objective__case=case).exclude(pk=theirs.pk):
        prefix = f"action-{other.pk}"
        response = client.post(reverse("cases:partner_action", args=[case.pk, other.pk]),
                               {f"{prefix}-status": "done", f"{prefix}-note": ""})
        assert response.status_code == 404
        other.refresh_from_db()
        assert other.status == "planned"
    # The case page's actions on the plan are the cellule's.
    objective = case.objectives.first()
    assert client.post(reverse("cases:action", args=[case.pk, "objectif"]),
                       {"domain": "other", "text": "X"}).status_code == 404
    assert client.post(reverse("cases:record_action", args=[case.pk, "modifier-objectif", objective.pk]),
                       {"domain": "other", "text": "X"}).status_code == 404


def test_a_partners_bad_update_is_refused_in_french_and_changes_nothing(client, personas, planned):
    case, partner, _ = planned
    theirs = PlanAction.objects.get(objective__case=case, what="Inscription au lycée")
    client.force_login(partner)
    prefix = f"action-{theirs.pk}"
    response = client.post(reverse("cases:partner_action", args=[case.pk, theirs.pk]),
                           {f"{prefix}-status": "fini", f"{prefix}-note": "x" * 301})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide." in text(response)
    theirs.refresh_from_db()
    assert theirs.status == "planned"


def test_a_member_who_is_not_the_referent_neither_sees_nor_changes_the_plan(client, personas, planned):
    case, _, _ = planned
    member = MembershipFactory(cell=personas.cell_a).user
    client.force_login(member)
    assert client.post(reverse("cases:action", args=[case.pk, "objectif"]),
                       {"domain": "other", "text": "X"}).status_code == 404
    action = PlanAction.objects.filter(objective__case=case).first()
    assert client.post(reverse("cases:partner_action", args=[case.pk, action.pk]), {}).status_code == 404
    assert Objective.objects.filter(case=case).count() == 2


def test_an_action_is_due_no_earlier_than_the_reception_and_led_by_one(client, personas, planned):
    case, _, _ = planned
    client.force_login(personas.member_a)
    objective = case.objectives.first()
    before = PlanAction.objects.count()
    url = reverse("cases:action", args=[case.pk, "action-plan"])
    early = (case.received_on - datetime.timedelta(days=1)).isoformat()
    response = client.post(url, {"objective": objective.pk, "what": "Appeler", "owner": personas.member_a.pk,
                                 "institution": "", "measure": "", "status": "planned", "due_on": early})
    assert response.status_code == 400
    assert "L'échéance ne peut précéder la réception du signalement" in text(response)
    response = client.post(url, {"objective": objective.pk, "what": "Appeler", "owner": "", "institution": "",
                                 "measure": "", "status": "planned", "due_on": TODAY.isoformat()})
    assert response.status_code == 400
    assert "Indiquez qui mène l'action" in text(response)
    assert PlanAction.objects.count() == before


def close_data(case, **bilan) -> dict:
    data = {"reason": "completed", "note": "Fin du suivi.", "measures_outcome": "completed", "confirm": "on",
            "exit_situation": "school", "situation_note": "", "follow_up_on": ""}
    return {**data, **bilan}


def test_the_bilan_is_required_at_the_closure_of_a_case_in_care(client, personas, planned):
    case, _, _ = planned
    client.force_login(personas.coord_a)
    url = reverse("cases:action", args=[case.pk, "cloturer"])
    school, health = case.objectives.order_by("pk")
    form = text(client.get(url))
    assert "Situation à la sortie" in form and "Reprendre une scolarité" in form
    response = client.post(url, close_data(case, exit_situation="", **{f"resultat_{school.pk}": "reached"}))
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in text(response)
    response = client.post(url, close_data(case, follow_up_planned="on", **{
        f"resultat_{school.pk}": "reached", f"resultat_{health.pk}": "partly"}))
    assert response.status_code == 400
    assert "Indiquez la date du contact de suivi prévu." in text(response)
    case.refresh_from_db()
    assert case.state == "in_care" and not Bilan.objects.exists()
    later = (TODAY + datetime.timedelta(days=60)).isoformat()
    response = client.post(url, close_data(case, follow_up_planned="on", follow_up_on=later, **{
        f"resultat_{school.pk}": "reached", f"resultat_{health.pk}": "partly"}))
    assert response.status_code == 302, text(response)
    case.refresh_from_db()
    bilan = case.bilans.get()
    assert (case.state, bilan.closed_on, bilan.exit_situation) == ("closed", TODAY, "school")
    assert {r.objective_id: r.result for r in bilan.results.all()} == {school.pk: "reached", health.pk: "partly"}
    page = text(client.get(reverse("cases:detail", args=[case.pk])))
    assert "Bilan de fin d'accompagnement du" in page and "partiellement atteint" in page


def test_a_case_not_in_care_closes_without_a_bilan(client, personas):
    case = CaseFactory(coordinator=personas.coord_a)
    client.force_login(personas.coord_a)
    url = reverse("cases:action", args=[case.pk, "cloturer"])
    assert "Situation à la sortie" not in text(client.get(url))
    response = client.post(url, {"reason": "unfounded", "note": "Hors champ.", "confirm": "on"})
    assert response.status_code == 302
    assert not Bilan.objects.exists()


def test_the_reports_results_are_computed_from_the_months_bilans(client, personas, planned):
    case, _, _ = planned
    school, health = case.objectives.order_by("pk")
    client.force_login(personas.coord_a)
    client.post(reverse("cases:action", args=[case.pk, "cloturer"]), close_data(case, **{
        f"resultat_{school.pk}": "reached", f"resultat_{health.pk}": "not_reached"}))
    other = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    client.post(reverse("cases:action", args=[other.pk, "cloturer"]), close_data(other, exit_situation="employed", **{
        f"resultat_{other.objectives.get().pk}": "reached"}))
    assert Bilan.objects.count() == 2 and ObjectiveResult.objects.count() == 3
    results = compute(personas.cell_a, Month(TODAY.replace(day=1)))["results"]
    assert results["bilans"] == 2
    assert results["closures_by_outcome"] == {"Objectifs atteints": 1, "Objectifs en partie atteints": 1,
                                              "Objectifs non atteints": 0, "Sans objectif au plan": 0}
    assert results["objectives_by_domain"]["Scolarité et formation"]["Atteint"] == 2
    assert results["objectives_by_domain"]["Santé et soin psychologique"]["Non atteint"] == 1
    assert results["exit_situations"]["En emploi"] == 1
    page = text(client.get(reverse("reports:detail", args=[str(Month(TODAY.replace(day=1)))])))
    assert "Clôtures — Objectifs en partie atteints" in page
    assert "Objectifs « Scolarité et formation » — atteint" in page


def test_the_national_results_suppress_small_counts(personas):
    from reporting.models import MonthlyReport

    month = Month(TODAY.replace(day=1))
    figures = compute(personas.cell_a, month)
    figures["results"].update(bilans=5, reviews=2)
    MonthlyReport.objects.create(cell=personas.cell_a, month=month.first, status="sent", figures=figures)
    results = dict(consolidated(month)["results"])
    assert "Clôtures avec bilan" not in results  # the outcomes' table per département holds them
    assert results["Revues de suivi"] == "1 à 2"
