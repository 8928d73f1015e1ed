"""« Information du procureur »: the coordinators of the case's cellule record that they informed the procureur
of a case (date, means, what they shared, the PDF export that went with it); the step is on the case's timeline
and counted in the monthly report. Members, and the coordinators of another département, are refused."""

import datetime
import html
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

import audit
from audit.models import Event
from cases.models import ProsecutorInformation
from reporting.exports import rows
from reporting.figures import Month, compute
from tests.cases.factories import CaseFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TODAY = timezone.localdate()
SHARED = "Situation suivie depuis le signalement ; mesure éducative judiciaire en cours."


def url(case) -> str:
    return reverse("cases:action", args=[case.pk, "information-procureur"])


def valid(**changes) -> dict:
    return {"on": (TODAY - datetime.timedelta(days=1)).isoformat(), "means": "email", "shared": SHARED,
            "export_sha256": "", **changes}


@pytest.fixture
def case(personas):
    return CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_coordinator_informs_the_procureur_and_the_timeline_says_so(client, personas, case):
    client.force_login(personas.coord_a)
    page = text(client.get(reverse("cases:detail", args=[case.pk])))
    assert url(case) in page and "Informer le procureur" in page  # in « Que voulez-vous faire ? »
    assert client.post(url(case), valid()).status_code == 302
    information = ProsecutorInformation.objects.get(case=case)
    assert (information.by, information.means, information.shared) == (personas.coord_a, "email", SHARED)
    event = Event.objects.get(action="case.prosecutor_inform")
    assert (event.actor, event.object_id, event.departement) == (personas.coord_a, str(case.pk), "93")
    assert SHARED not in str(event.details)  # the trail refers to the text, kept with the case
    page = text(client.get(reverse("cases:detail", args=[case.pk])))
    yesterday = TODAY - datetime.timedelta(days=1)
    assert f"Information du procureur — le : {yesterday:%d/%m/%Y} ; moyen : Courriel ; transmis : {SHARED}" in page


def test_the_pdf_export_sent_with_it_is_one_of_the_cases_own(client, personas, case):
    other = CaseFactory(coordinator=personas.coord_a)
    for exported, sha in ((case, "a" * 64), (other, "b" * 64)):  # as ``cases.views.export.export_pdf`` records
        audit.record("case.export_pdf", obj=exported, actor=personas.coord_a, departement="93",
                     details={"signalement": exported.reference, "parties": ["Identité"], "sha256": sha})
    client.force_login(personas.coord_a)
    form = text(client.get(url(case)))
    assert "a" * 12 in form and "b" * 12 not in form
    response = client.post(url(case), valid(export_sha256="b" * 64))
    assert response.status_code == 400 and "Sélectionnez un choix valide" in text(response)
    assert client.post(url(case), valid(means="file", export_sha256="a" * 64)).status_code == 302
    assert ProsecutorInformation.objects.get(case=case).export_sha256 == "a" * 64
    page = text(client.get(reverse("cases:detail", args=[case.pk])))
    assert f"moyen : Transmission du dossier ; transmis : {SHARED} ; export PDF transmis (empreinte SHA-256) : " \
           f"{'a' * 64}" in page


@pytest.mark.parametrize("day,message", [
    (TODAY + datetime.timedelta(days=1), "La date de l'information ne peut pas être dans le futur."),
    (TODAY - datetime.timedelta(days=4), "L'information du procureur ne peut précéder la réception du signalement"),
])
def test_a_date_in_the_future_or_before_the_signalement_is_refused(client, personas, case, day, message):
    client.force_login(personas.coord_a)
    response = client.post(url(case), valid(on=day.isoformat()))
    assert response.status_code == 400 and message in text(response)
    assert not ProsecutorInformation.objects.exists()
    assert not Event.objects.filter(action="case.prosecutor_inform").exists()


def test_what_was_shared_is_required(client, personas, case):
    client.force_login(personas.coord_a)
    response = client.post(url(case), valid(shared="   "))
    assert response.status_code == 400 and "Ce champ est obligatoire." in text(response)
    assert not ProsecutorInformation.objects.exists()


def test_another_departements_coordinator_finds_no_case(client, personas, case):
    client.force_login(personas.coord_b)
    assert client.post(url(case), valid()).status_code == 404
    assert not ProsecutorInformation.objects.exists()


def test_a_member_even_the_referent_is_refused_it(client, personas, case):
    """The coordinators speak to the parquet for the cellule: its members, the référent included, do not."""
    client.force_login(personas.member_a)
    assert url(case) not in text(client.get(reverse("cases:detail", args=[case.pk])))
    assert client.post(url(case), valid()).status_code == 403
    assert not ProsecutorInformation.objects.exists()
    assert Event.objects.filter(action="access.denied", actor=personas.member_a).exists()


def test_a_closed_case_may_still_be_reported_to_the_procureur(client, personas):
    closed = CaseFactory(coordinator=personas.coord_a, closed=True)
    client.force_login(personas.coord_a)
    assert client.post(url(closed), valid(on=TODAY.isoformat())).status_code == 302
    assert closed.prosecutor_informations.count() == 1


def test_the_monthly_report_counts_the_months_informations(client, personas):
    march = Month(datetime.date(2026, 3, 1))
    with time_machine.travel(datetime.datetime(2026, 2, 10, 10, tzinfo=PARIS), tick=False):
        case = CaseFactory(coordinator=personas.coord_a, received_on=datetime.date(2026, 2, 10))
    elsewhere = CaseFactory(coordinator=personas.coord_b, received_on=datetime.date(2026, 2, 10))
    client.force_login(personas.coord_a)
    for day in (datetime.date(2026, 2, 28), datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)):
        with time_machine.travel(datetime.datetime(2026, 4, 2, 10, tzinfo=PARIS), tick=False):
            assert client.post(url(case), valid(on=day.isoformat())).status_code == 302
    ProsecutorInformation.objects.create(case=elsewhere, by=personas.coord_b, on=datetime.date(2026, 3, 5),
                                         means="phone", shared="Autre département.")
    figures = compute(personas.cell_a, march)
    assert figures["prosecutor_informations"] == 2
    assert compute(personas.cell_a, march.previous())["prosecutor_informations"] == 1
    assert ("Fonctionnement", "Informations du procureur dans le mois", 2) in rows(figures)
    report = text(client.get(reverse("reports:detail", args=["2026-03"])))
    assert "<td>Informations du procureur dans le mois</td><td>2</td>" in report
