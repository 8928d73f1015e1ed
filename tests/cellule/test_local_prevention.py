"""The local prevention bodies of a département (CLSPD, CISPD, programme de réussite éducative): a case is
oriented to one by a care measure it runs, on the adhesion as for any partner; the cellule's coordinators
record their exchanges with it on its page; the monthly report counts the orientations."""

import datetime
import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cellule import actions as cellule
from cellule.models import Exchange
from organisation.policy import AccessDenied
from reporting.exports import rows
from reporting.figures import Month, compute
from tests.cases.factories import CaseFactory
from tests.organisation.factories import InstitutionFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

TODAY = timezone.localdate()


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def clspd(personas):
    return InstitutionFactory(name="CLSPD de Bobigny", local_prevention=True)


def test_a_case_is_oriented_to_a_clspd_with_the_adhesion_and_the_report_counts_it(client, personas, clspd):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    client.force_login(personas.member_a)
    url = reverse("cases:action", args=[case.pk, "mesure"])
    assert "CLSPD de Bobigny" in text(client.get(url))  # offered as any partner of the département
    measure = {"modality": "educational", "beneficiary": "young_person", "institution": clspd.pk,
               "starts_on": TODAY.isoformat()}
    response = client.post(url, measure)
    assert response.status_code == 400 and "L'orientation repose sur" in text(response)  # the adhesion, required
    assert client.post(url, {**measure, "adhesion": "family"}).status_code == 302
    assert case.care_measures.filter(institution=clspd, adhesion="family").exists()
    figures = compute(personas.cell_a, Month.of(TODAY))
    assert figures["local_prevention_orientations"] == {"active": 1, "started": 1, "by_kind": {
        "CLSPD (conseil local de sécurité et de prévention de la délinquance)": 1,
        "CISPD (conseil intercommunal de sécurité et de prévention de la délinquance)": 0,
        "Programme de réussite éducative": 0}}
    table = {(section, item): value for section, item, value in rows(figures)}
    section = "Orientations vers les dispositifs locaux de prévention (CLSPD, CISPD, réussite éducative)"
    assert table[(section, "Prises en charge actives dans le mois")] == 1
    # The cellule's other partners are no orientation to a local prevention body.
    assert compute(personas.cell_b, Month.of(TODAY))["local_prevention_orientations"]["active"] == 0


def test_the_coordinators_record_their_exchanges_on_the_bodys_page(client, personas, clspd):
    client.force_login(personas.coord_a)
    cell_page = text(client.get(reverse("cell_detail", args=["93"])))
    url = reverse("prevention:body", args=[clspd.pk])
    assert url in cell_page and "clspd@bobigny.example.invalid" in cell_page
    assert "Aucun échange enregistré" in text(client.get(url))
    response = client.post(url, {"on": TODAY.isoformat(), "subject": "Réunion du CLSPD",
                                 "summary": "Présentation de la cellule ; deux actions de prévention communes."},
                           follow=True)
    page = text(response)
    assert "Échange enregistré." in page and "Réunion du CLSPD" in page and "deux actions de prévention" in page
    exchange = Exchange.objects.get()
    assert (exchange.cell, exchange.recorded_by) == (personas.cell_a, personas.coord_a)
    event = Event.objects.get(action="exchange.create")
    assert (event.actor, event.departement, event.details["dispositif"]) == (personas.coord_a, "93",
                                                                              "CLSPD de Bobigny")
    future = (TODAY + datetime.timedelta(days=3)).isoformat()
    response = client.post(url, {"on": future, "subject": "Plus tard", "summary": "…"})
    assert response.status_code == 400 and "ne peut pas être dans le futur" in text(response)
    assert Exchange.objects.count() == 1


@pytest.mark.parametrize("who, status", [("member_a", 403), ("coord_b", 404), ("national", 403), ("admin", 403),
                                         ("inspector", 403)])
def test_only_the_cellules_coordinators_open_the_bodys_page(client, personas, clspd, who, status):
    client.force_login(getattr(personas, who))
    url = reverse("prevention:body", args=[clspd.pk])
    assert client.get(url).status_code == status
    assert client.post(url, {"on": TODAY.isoformat(), "subject": "S", "summary": "R"}).status_code == status
    with pytest.raises(AccessDenied):
        cellule.record_exchange(getattr(personas, who), personas.cell_a, clspd, on=TODAY, subject="S", summary="R")
    assert not Exchange.objects.exists()


def test_an_institution_that_is_no_local_prevention_body_has_no_such_page(client, personas, clspd):
    association = InstitutionFactory(name="Association Sauvegarde 93", category="association", partner=True)
    client.force_login(personas.coord_a)
    assert client.get(reverse("prevention:body", args=[association.pk])).status_code == 404
    with pytest.raises(ValidationError, match="n'est pas un dispositif local de prévention"):
        cellule.record_exchange(personas.coord_a, personas.cell_a, association, on=TODAY, subject="S", summary="R")
