"""Issue 29, point 3: the six collectivités of overseas France (975 Saint-Pierre-et-Miquelon, 977
Saint-Barthélemy, 978 Saint-Martin, 986 Wallis-et-Futuna, 987 French Polynesia, 988 New Caledonia) are
territories like the départements, with their representative of the State under his own title and their
own clock: a cellule is set up there as elsewhere, works, reports and is consolidated nationally."""

import datetime
import importlib
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.db import connection
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from cellule.models import Meeting
from charter.actions import accept_charter
from charter.models import Version
from organisation.models import Cell, Departement, Membership
from reporting.models import MonthlyReport
from tests.cases.factories import CaseFactory
from tests.organisation.factories import InstitutionFactory, MembershipFactory, UserFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

NOUMEA = ZoneInfo("Pacific/Noumea")
TITLES = {
    "975": ("Saint-Pierre-et-Miquelon", "préfet de Saint-Pierre-et-Miquelon", "America/Miquelon"),
    "977": ("Saint-Barthélemy", "préfet délégué dans les collectivités de Saint-Barthélemy et de Saint-Martin",
            "America/St_Barthelemy"),
    "978": ("Saint-Martin", "préfet délégué dans les collectivités de Saint-Barthélemy et de Saint-Martin",
            "America/Marigot"),
    "986": ("Wallis-et-Futuna", "préfet, administrateur supérieur des îles Wallis et Futuna", "Pacific/Wallis"),
    "987": ("Polynésie française", "haut-commissaire de la République en Polynésie française", "Pacific/Tahiti"),
    "988": ("Nouvelle-Calédonie", "haut-commissaire de la République en Nouvelle-Calédonie", "Pacific/Noumea"),
}


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def at_noumea(*args):
    """Travel to a moment of Nouméa's clock (UTC+11, no summer time)."""
    return time_machine.travel(datetime.datetime(*args, tzinfo=NOUMEA), tick=False)


@pytest.fixture
def noumea(personas):
    """The cellule of New Caledonia, its coordinator at the haut-commissariat and a member."""
    cell = Cell.objects.create(departement=Departement.objects.get(code="988"), chair_function="prefet",
                               meeting_periodicity="monthly", installed_on=datetime.date(2026, 1, 5))
    hc = InstitutionFactory(name="Haut-commissariat de la République en Nouvelle-Calédonie",
                            departement=cell.departement)
    coordinator = MembershipFactory(cell=cell, coordinator=True, institution=hc, user__username="coord988").user
    member = MembershipFactory(cell=cell, institution=hc, user__username="membre988").user
    return SimpleNamespace(cell=cell, coordinator=coordinator, member=member, institution=hc)


def test_the_six_collectivites_exist_with_their_representative_and_clock(db):
    found = {d.code: (d.name, d.representative_title, d.time_zone)
             for d in Departement.objects.filter(code__in=TITLES)}
    assert found == TITLES
    assert Departement.objects.count() == 107
    assert Departement.objects.get(code="93").representative_title == "préfet"
    assert Departement.objects.get(code="974").time_zone == "Indian/Reunion"  # the DROM keep their own clocks
    assert Departement.objects.get(code="988").zone_label(datetime.datetime(2026, 3, 1, tzinfo=NOUMEA)) == (
        "Pacific/Noumea (UTC+11:00)")


def test_the_migration_adds_them_once_and_is_undone_unless_a_cellule_is_there(db):
    migration = importlib.import_module("organisation.migrations.0010_overseas")
    editor = SimpleNamespace(connection=connection)
    migration.add(apps, editor)  # run again over what it already did: nothing changes
    assert Departement.objects.count() == 107 and Departement.objects.filter(code="988").count() == 1
    migration.remove(apps, editor)
    assert Departement.objects.count() == 101 and not Departement.objects.filter(code__in=TITLES).exists()
    migration.add(apps, editor)
    assert Departement.objects.get(code="987").representative == TITLES["987"][1]
    Cell.objects.create(departement=Departement.objects.get(code="988"), chair_function="prefet",
                        meeting_periodicity="monthly")
    with pytest.raises(ProtectedError):
        migration.remove(apps, editor)


def test_a_cellule_in_new_caledonia_is_set_up_as_any_other_and_says_who_represents_the_state(personas):
    nc = Departement.objects.get(code="988")
    created = signed_in(personas.admin).post(reverse("admin:organisation_cell_add"), {
        "departement": nc.pk, "chair_function": "prefet", "meeting_periodicity": "monthly",
        "installed_on": "2026-01-05", "review_days_in_care": 30, "review_days_mobile_team": 15,
        "stagnant_days": 60, "reading_alert_floor": 5})
    assert created.status_code == 302
    cell = Cell.objects.get(departement=nc)
    hc = InstitutionFactory(name="Haut-commissariat de la République en Nouvelle-Calédonie", departement=nc)
    coordinator = UserFactory(username="coord988")
    named = signed_in(personas.national).post(reverse("cell_detail", args=["988"]), {
        "add": "", "email": coordinator.email, "institution": hc.pk, "role": "coordinator",
        "function": "Directeur de cabinet du haut-commissaire", "starts_on": "2026-01-05"})
    assert named.status_code == 302
    assert Membership.objects.get(user=coordinator).cell == cell
    accept_charter(coordinator, Version.objects.current().number)  # before any page with names
    page = signed_in(coordinator).get(reverse("cell_detail", args=["988"])).content.decode()
    assert "Composition de la cellule 988 — Nouvelle-Calédonie" in page
    assert "Présidence : Haut-commissaire de la République en Nouvelle-Calédonie" in page
    assert "Pacific/Noumea (UTC+11:00)" in page
    assert "Référent radicalisation (désigné par le haut-commissaire de la République en Nouvelle-Calédonie)" in page
    assert "(désigné par le préfet)" not in page
    # Another territory's coordinator does not reach it.
    assert signed_in(personas.coord_a).get(reverse("cell_detail", args=["988"])).status_code in (403, 404)


def test_its_people_work_on_noumeas_clock(noumea):
    """At 8 a.m. in Nouméa it is still the evening before in Paris: today's signalement is not « in the
    future », and the pages give Nouméa's hours."""
    client = signed_in(noumea.coordinator)
    with at_noumea(2026, 3, 10, 8):
        response = client.post(reverse("cases:intake"), {
            "source": "ems", "received_on": "2026-03-10", "facts": "Signalé par le vice-rectorat.",
            "person_last_name": "Wamytan", "person_first_name": "Léo", "person_birth_date": "2011-05-06",
            "person_sex": "m", "person_commune": "Nouméa", "person_situation": "school"})
        assert response.status_code == 302, response.content.decode()
        case = Case.objects.get()
        assert case.reference == "988-2026-0001" and case.received_on == datetime.date(2026, 3, 10)
        scheduled = client.post(reverse("meetings:list"), {"held_at": "2026-03-31T15:00"})
        assert scheduled.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.held_at == datetime.datetime(2026, 3, 31, 15, tzinfo=NOUMEA)
    with at_noumea(2026, 3, 10, 9):
        page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "15:00" in page or "15h00" in page


def test_its_report_counts_noumeas_month_is_sent_and_consolidated(noumea, personas, run_queue, settings):
    p = noumea
    with at_noumea(2026, 3, 10, 9), timezone.override(NOUMEA):  # as its pages act (the middleware)
        CaseFactory(coordinator=p.coordinator, received_on=datetime.date(2026, 3, 10))
    client = signed_in(p.coordinator)
    with at_noumea(2026, 3, 20, 9):
        for held_at in ("2026-03-31T15:00", "2026-04-01T08:00"):  # the second: 31 March, 11 p.m. in Paris
            assert client.post(reverse("meetings:list"), {"held_at": held_at}).status_code == 302
    url = reverse("reports:detail", args=["2026-03"])
    # 7 a.m. on 1 April in Nouméa, 10 p.m. on 31 March in Paris: Nouméa's March has ended.
    with at_noumea(2026, 4, 1, 7):
        page = client.get(url).content.decode()
        assert "Représentant de l&#x27;État" in page
        assert "Haut-commissaire de la République en Nouvelle-Calédonie" in page
        client.post(url, {"save": "", "results": "Famille accompagnée.", "difficulties": "Distances."})
        client.post(url, {"validate": ""})
        client.post(url, {"send": "", "confirm_send": "on"})
        run_queue()
    report = MonthlyReport.objects.get(cell=p.cell)
    assert report.status == "sent", report.status
    assert report.figures["meetings_held"] == 1 and report.figures["young_people_followed"] == 1
    [sent] = [m for m in mail.outbox if m.subject.startswith("Compte rendu mensuel")]
    body = sent.body.replace("\u00a0", " ")
    assert ("La cellule de suivi de la collectivité 988 (Nouvelle-Calédonie) vous adresse, pour le haut-commissaire "
            "de la République en Nouvelle-Calédonie, son compte rendu mensuel de mars 2026") in body
    assert "988 (Nouvelle-Calédonie)" in sent.subject
    national = signed_in(personas.national).get(reverse("national:view"), {"mois": "2026-03"}).content.decode()
    row = national.split("988 — Nouvelle-Calédonie</td>", 1)[1].split("</tr>", 1)[0]
    assert row.count(">oui<") == 3  # installed, met, sent
    assert '<td data-label="Jeunes">&lt; 3</td>' in row  # one young person: suppressed
    assert "Wamytan" not in national and p.coordinator.last_name not in national
    not_reported = national.split('id="not-reported">', 1)[1].split("</p>", 1)[0]
    assert "988" not in not_reported and "987" not in not_reported  # no cellule in Polynesia: not installed
    assert "987" in national.split('id="not-installed">', 1)[1].split("</p>", 1)[0]


def test_codes_of_three_characters_are_taken_by_the_api_the_import_and_the_trail(client, noumea, personas):
    from inspection.display import ELSEWHERE, redacted
    from tests.intake.conftest import new_account, post, signalement
    from tests.intake.test_import import CONFIRM, as_csv, row, upload

    _, token = new_account("988", "cnapr-988")
    with at_noumea(2026, 3, 10, 8):  # 9 March in Paris: the CNAPR's 10 March is Nouméa's today, not the future
        answer = post(client, token, signalement(received_on="2026-03-10", source_reference="CNAPR-988-1"))
    assert answer.status_code == 201, answer.content
    assert Case.objects.get(source_reference="CNAPR-988-1").reference == "988-2026-0001"
    client.force_login(noumea.coordinator)
    preview = upload(client, as_csv(row(**{"Référence à l'origine": "CNAPR-988-2", "Commune": "Nouméa"})))
    signed = preview.content.decode().split('name="rows" value="')[1].split('"')[0]
    assert client.post(CONFIRM, {"rows": signed}).status_code == 302
    imported = Case.objects.get(source_reference="CNAPR-988-2")
    assert imported.departement.code == "988" and imported.reference.startswith("988-")
    # An inspector of the 93 reads no reference of New Caledonia's in the 93's trail, nor of the 975's.
    for code in ("988", "975", "977", "986"):
        assert redacted(f"Transféré : {code}-2026-0001.", frozenset({"93"})) == f"Transféré : {ELSEWHERE}."
    assert redacted("Transféré : 988-2026-0001.", frozenset({"988"})) == "Transféré : 988-2026-0001."


def test_a_family_asks_to_meet_the_haut_commissaire(client, noumea):
    case = CaseFactory(coordinator=noumea.coordinator)
    client.force_login(noumea.coordinator)
    form = client.get(reverse("cases:action", args=[case.pk, "demande-entretien"])).content.decode()
    assert "Le haut-commissaire de la République en Nouvelle-Calédonie" in form and "Le préfet<" not in form
    asked = client.post(reverse("cases:action", args=[case.pk, "demande-entretien"]), {
        "with_whom": "prefet", "requested_by": "Mère", "channel": "letter",
        "requested_on": case.received_on.isoformat()})
    assert asked.status_code == 302
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "avec le haut-commissaire de la République en Nouvelle-Calédonie" in page
