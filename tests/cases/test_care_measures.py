"""A care measure can be corrected or removed (entered by mistake), closing or transferring a case
ends its measures under way, and a case's measures (and its plan's actions) are run by partner
institutions of its département, never by a national body."""

import datetime
import html
import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases import actions
from cases.models import CareMeasure, EventText
from organisation.errors import ActionRefused
from organisation.models import Departement
from tests.cases.factories import CaseFactory, bilan, transferred
from tests.organisation.factories import InstitutionFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

TODAY = timezone.localdate()


def in_care(personas):
    return CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_mistyped_measure_is_corrected_and_the_trail_keeps_before_and_after(client, personas):
    case = in_care(personas)
    measure = case.care_measures.get()
    client.force_login(personas.member_a)
    url = reverse("cases:record_action", args=[case.pk, "modifier-mesure", measure.pk])
    form = text(client.get(url))
    assert 'value="social" selected' in form  # the form starts from the measure as it is
    response = client.post(url, {"modality": "psychological", "beneficiary": "young_person",
                                 "institution": measure.institution_id, "starts_on": measure.starts_on.isoformat()})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.modality == "psychological"
    event = Event.objects.get(action="case.care_measure_edit")
    assert event.details["changements"]["modality"] == {"avant": "social", "après": "psychological"}
    assert measure.history.count() == 2
    page = text(client.get(reverse("cases:detail", args=[case.pk])))
    assert "Prise en charge corrigée" in page


def test_a_measure_entered_by_mistake_is_removed_with_its_reason_and_its_history_kept(client, personas):
    case = in_care(personas)
    kept = case.care_measures.get()
    wrong = actions.add_care_measure(personas.member_a, case, modality="health", beneficiary="family",
                                     institution=kept.institution, starts_on=TODAY, adhesion="family")
    client.force_login(personas.coord_a)
    response = client.post(reverse("cases:record_action", args=[case.pk, "retirer-mesure", wrong.pk]),
                           {"reason": "Saisie sur le mauvais signalement.", "confirm": "on"})
    assert response.status_code == 302
    assert list(case.care_measures.all()) == [kept]
    event = Event.objects.get(action="case.care_measure_remove")
    assert EventText.objects.get(pk=event.details["motif"]["texte"]).text == "Saisie sur le mauvais signalement."
    assert event.details["mesure"]["modality"] == "health"
    assert CareMeasure.history.filter(id=wrong.pk, history_type="-").exists()
    assert "Prise en charge retirée (saisie par erreur)" in text(client.get(reverse("cases:detail", args=[case.pk])))


def test_the_only_measure_under_way_of_a_case_in_care_is_not_removed(client, personas):
    case = in_care(personas)
    measure = case.care_measures.get()
    with pytest.raises(ActionRefused, match="seule prise en charge en cours"):
        actions.remove_care_measure(personas.coord_a, measure, reason="Erreur.")
    with pytest.raises(ValidationError):
        actions.remove_care_measure(personas.coord_a, measure, reason="  ")
    assert case.care_measures.count() == 1
    assert not Event.objects.filter(action="case.care_measure_remove").exists()


def test_closing_ends_the_measures_under_way_with_the_outcome_chosen_in_the_form(client, personas):
    case = in_care(personas)
    client.force_login(personas.coord_a)
    url = reverse("cases:action", args=[case.pk, "cloturer"])
    form = text(client.get(url))
    assert "Issue des prises en charge en cours" in form
    assert "Les prises en charge encore en cours se terminent à la date de clôture avec cette issue." in form
    assert "Je confirme la clôture" in form
    response = client.post(url, {"reason": "completed", "note": "Objectifs atteints.",
                                 "measures_outcome": "completed", "confirm": "on", "exit_situation": "school",
                                 f"resultat_{case.objectives.get().pk}": "reached"})
    assert response.status_code == 302
    measure = case.care_measures.get()
    assert (measure.ends_on, measure.outcome) == (TODAY, "completed")
    assert Event.objects.filter(action="case.care_measure_end").count() == 1


def test_a_case_without_measures_under_way_is_closed_without_the_question(client, personas):
    case = CaseFactory(coordinator=personas.coord_a)
    client.force_login(personas.coord_a)
    url = reverse("cases:action", args=[case.pk, "cloturer"])
    assert "Issue des prises en charge" not in text(client.get(url))
    assert client.post(url, {"reason": "unfounded", "note": "Hors champ.", "confirm": "on"}).status_code == 302


def test_the_entry_point_refuses_to_close_leaving_a_measure_open(personas):
    case = in_care(personas)
    with pytest.raises(ValidationError) as error:
        actions.close(personas.coord_a, case, reason="completed", note="Fin.")
    assert "Indiquez l'issue des prises en charge en cours" in str(error.value)
    case.refresh_from_db()
    assert case.state == "in_care" and case.care_measures.get().ends_on is None


def test_a_measure_planned_after_the_closure_must_be_corrected_or_removed_first(personas):
    case = in_care(personas)
    actions.add_care_measure(personas.member_a, case, modality="health", beneficiary="family",
                             institution=case.care_measures.get().institution,
                             starts_on=TODAY + datetime.timedelta(days=10), adhesion="family")
    with pytest.raises(ActionRefused, match="ne commence que le"):
        actions.close(personas.coord_a, case, reason="completed", note="Fin.", measures_outcome="completed",
                  bilan=bilan(case))
    case.refresh_from_db()
    assert case.state == "in_care"
    assert not case.care_measures.filter(ends_on__isnull=False).exists()


def test_a_transfer_ends_the_measures_under_way_as_redirected(personas):
    case = in_care(personas)
    transferred(personas, case)
    measure = case.care_measures.get()
    assert (measure.ends_on, measure.outcome) == (TODAY, "redirected")


# The national bodies of the demo: none takes anyone into care (issue 28, point 10).
NATIONAL_BODIES = [("Inspection générale de l'administration", "state"), ("Ministère de l'Intérieur — DNUM", "state"),
                   ("CIPDR — Secrétariat général", "state"),
                   ("Équipe mobile d'intervention (prestataire national)", "national_provider")]
MEASURE = {"modality": "health", "beneficiary": "family", "starts_on": TODAY.isoformat(), "adhesion": "family"}


def offered(page: str, name: str = "institution") -> list[str]:
    """The labels of a select's options, its empty choice aside."""
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select, page
    return [label.strip() for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>',
                                                          select.group()) if value]


@pytest.fixture
def institutions(personas):
    """Institutions of the 93 and of the 69, and the national bodies."""
    return SimpleNamespace(
        bobigny=InstitutionFactory(name="Parquet de Bobigny", category="justice", partner=True),
        lyon=InstitutionFactory(name="Parquet de Lyon", category="justice",
                                departement=Departement.objects.get(code="69")),
        national=[InstitutionFactory(name=name, category=category) for name, category in NATIONAL_BODIES])


@pytest.mark.parametrize("slug", ["mesure", "action-plan"])
def test_a_measure_or_an_action_is_offered_only_to_the_departements_partners(client, personas, institutions, slug):
    case = in_care(personas)
    client.force_login(personas.member_a)
    choices = offered(text(client.get(reverse("cases:action", args=[case.pk, slug]))))
    assert set(choices) == {"Association Sauvegarde 93", "Parquet de Bobigny"}


def test_a_national_body_or_another_departements_institution_is_refused_by_the_form_and_the_entry_point(
        client, personas, institutions):
    case = in_care(personas)
    client.force_login(personas.member_a)
    for institution in [institutions.lyon, *institutions.national]:
        response = client.post(reverse("cases:action", args=[case.pk, "mesure"]), {**MEASURE,
                                                                                  "institution": institution.pk})
        assert response.status_code == 400 and "Sélectionnez un choix valide" in text(response)
        with pytest.raises(ValidationError) as error:
            actions.add_care_measure(personas.member_a, case, institution=institution,
                                     **{**MEASURE, "starts_on": TODAY})
        national = institution != institutions.lyon
        assert (f"{institution.name} est un organisme national, qui ne prend personne en charge" if national else
                "Parquet de Lyon intervient dans un autre département") in str(error.value)
        with pytest.raises(ValidationError):
            actions.edit_care_measure(personas.member_a, case.care_measures.get(), institution=institution)
    assert case.care_measures.count() == 1
    assert actions.add_care_measure(personas.member_a, case, institution=institutions.bobigny,
                                    **{**MEASURE, "starts_on": TODAY}).pk


def test_a_measure_given_a_national_body_before_the_rule_still_ends(personas, institutions):
    case = in_care(personas)
    CareMeasure.objects.filter(case=case).update(institution=institutions.national[0])  # as chosen then
    measure = actions.end_care_measure(personas.member_a, case.care_measures.get(), ends_on=TODAY,
                                       outcome="completed")
    assert (measure.ends_on, measure.institution) == (TODAY, institutions.national[0])


def test_an_ended_case_measure_cannot_be_corrected_once_the_case_is_closed(client, personas):
    case = in_care(personas)
    actions.close(personas.coord_a, case, reason="completed", note="Fin.", measures_outcome="completed",
                  bilan=bilan(case))
    measure = case.care_measures.get()
    client.force_login(personas.coord_a)
    response = client.get(reverse("cases:record_action", args=[case.pk, "modifier-mesure", measure.pk]))
    assert response.status_code == 302
    assert (f"« Corriger une prise en charge » n'est pas possible : le signalement {case.reference} est clôturé : "
            "rouvrez-le d'abord.") in text(client.get(response.url))
