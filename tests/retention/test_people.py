"""The coordinators answer the people concerned: the export of what is held about one person, the
rectification of their data, the legal hold; nobody else may, and bad input changes nothing."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases.models import Person
from organisation.errors import ActionRefused
from retention import actions
from retention.models import LegalHold
from tests.conftest import built_once, forget_cached_rights
from tests.retention.canary import full_case


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    from tests.conftest import build_personas

    with built_once(django_db_blocker):
        personas = build_personas()
        yield personas, full_case(personas, "Zqxhotel")


@pytest.fixture
def personas(shared, db):
    forget_cached_rights(shared[0])
    return shared[0]


@pytest.fixture
def case(shared, db):
    shared[1].refresh_from_db()
    return shared[1]


def opened(response) -> dict[str, bytes]:
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_the_young_persons_export_holds_the_whole_file_and_who_read_it(client, personas, case):
    client.force_login(personas.coord_a)
    page = client.get(reverse("retention:persons", args=[case.pk]))
    assert page.status_code == 200 and "Zqxhotel-prenom" in page.content.decode()
    client.get(reverse("cases:detail", args=[case.pk]))  # a read the export must list
    files = opened(client.get(reverse("retention:export", args=[case.pk, "jeune", case.person.pk])))
    assert {"signalement.csv", "jeune.csv", "proches.csv", "contacts_famille.csv", "notes.csv", "revues.csv",
            "equipe_mobile_demandes.csv", "equipe_mobile_messages.csv", "equipe_mobile_comptes_rendus.csv",
            "entretiens.csv", "reunions.csv", "consultations_et_actions.csv"} <= set(files)
    assert [name for name in files if name.startswith("pieces_jointes/")] == [
        f"pieces_jointes/{case.notes.get().attachments.get().pk}-Zqxhotel-fichier.pdf"]
    (letter,) = [name for name in files if name.startswith("equipe_mobile_pieces_jointes/")]
    assert letter.endswith("-Zqxhotel-courrier.pdf") and b"Zqxhotel-lettre" in files[letter]
    assert rows(files["jeune.csv"])[2][:2] == ["Zqxhotel-nom", "Zqxhotel-prenom"]
    assert len(rows(files["proches.csv"])) == 2 + 2  # heading, headers, both relatives
    assert "Réponse Zqxhotel-reponse" in files["equipe_mobile_messages.csv"].decode("utf-8-sig")
    reads = rows(files["consultations_et_actions.csv"])[2:]
    read = ["coord_a", "Coordination de la cellule", "Consultation du signalement"]
    assert any(row[1:] == read for row in reads), reads[-3:]
    event = Event.objects.filter(action="retention.export").latest("id")
    assert event.details == {"signalement": case.reference, "personne": "jeune"}  # no name in the trail


def test_the_young_persons_export_covers_every_case_about_them(client, personas, case):
    """Signalé again, with a further signalement on the new case and a support group their family
    attended: the export from either case holds both cases, the signalement, the sessions and the reads
    of the young person's page."""
    from cases import actions as cases_actions
    from cellule import actions as cellule
    from tests.organisation.factories import InstitutionFactory

    today = timezone.localdate()
    again = cases_actions.intake(personas.coord_a, personas.cell_a, source="ems", received_on=today,
                                 facts="Zqxhotel-nouveaux-faits", person=case.person)
    cases_actions.add_signalement(personas.coord_a, again, source="cnapr", received_on=today,
                                  facts="Zqxhotel-troisieme")
    association = InstitutionFactory(name="Association Zqxhotel", category="association", partner=True)
    group = cellule.create_support_group(personas.coord_a, personas.cell_a, name="Groupe Zqxhotel",
                                         institution=association)
    cellule.record_support_session(personas.coord_a, group, on=today, families=[again])
    client.force_login(personas.coord_a)
    assert client.get(reverse("cases:person", args=[case.person_id])).status_code == 200
    for one in (case, again):
        files = opened(client.get(reverse("retention:export", args=[one.pk, "jeune", case.person_id])))
        references = [row[0] for row in rows(files["signalement.csv"])[2:]]
        assert sorted(references) == sorted([case.reference, again.reference])
        assert "Zqxhotel-troisieme" in files["signalements_suivants.csv"].decode("utf-8-sig")
        assert rows(files["groupes_de_parole.csv"])[2][0] == "Groupe Zqxhotel"
        reads = [row[3] for row in rows(files["consultations_et_actions.csv"])[2:]]
        assert "Consultation du suivi d'un jeune (tous ses signalements)" in reads
    relative = case.relatives.first()  # a relative's file covers the cases of the family's young people
    files = opened(client.get(reverse("retention:export", args=[case.pk, "proche", relative.pk])))
    assert sorted(row[0] for row in rows(files["signalement.csv"])[2:]) == sorted([case.reference, again.reference])


def test_a_relatives_export_holds_only_their_own_entry_among_the_relatives(client, personas, case):
    relative = case.relatives.first()
    client.force_login(personas.coord_a)
    files = opened(client.get(reverse("retention:export", args=[case.pk, "proche", relative.pk])))
    table = rows(files["proches.csv"])
    assert len(table) == 3 and table[2][2] == relative.first_name
    event = Event.objects.filter(action="retention.export").latest("id")
    assert event.details["personne"] == f"proche n° {relative.pk}"


@pytest.mark.parametrize("who", ["member_a", "coord_b", "mobile", "inspector", "national", "admin", "outsider"])
def test_nobody_but_the_cases_coordinators_reaches_a_persons_data(client, personas, case, who):
    client.force_login(getattr(personas, who))
    for name, args in (("persons", [case.pk]), ("export", [case.pk, "jeune", case.person.pk]),
                       ("rectify", [case.pk, "jeune", case.person.pk])):
        assert client.get(reverse(f"retention:{name}", args=args)).status_code == 404, (who, name)
    assert not Event.objects.filter(action="retention.export", actor=getattr(personas, who)).exists()


@pytest.mark.parametrize("kind,person", [("autre", 1), ("jeune", 0), ("proche", 0), ("proche", 2**62)])
def test_a_crafted_person_is_not_found(client, personas, case, kind, person):
    client.force_login(personas.coord_a)
    person = person or case.person.pk + 1000
    assert client.get(reverse("retention:export", args=[case.pk, kind, person])).status_code == 404


def test_a_closed_case_is_rectified_the_trail_naming_the_fields_only(client, personas, case):
    client.force_login(personas.coord_a)
    url = reverse("retention:rectify", args=[case.pk, "jeune", case.person.pk])
    data = {"last_name": "Rectifié", "first_name": case.person.first_name, "birth_date": case.person.birth_date,
            "sex": case.person.sex, "commune": case.person.commune, "address": case.person.address,
            "situation": case.person.situation}
    assert client.post(url, data).status_code == 302
    assert Person.objects.get(cases=case).last_name == "Rectifié"
    event = Event.objects.filter(action="retention.rectify").latest("id")
    assert event.details == {"signalement": case.reference, "personne": "jeune", "champs": ["last_name"]}
    assert Person.history.filter(id=case.person_id).first().last_name == "Rectifié"


@pytest.mark.parametrize("field,value", [("last_name", ""), ("birth_date", "31/02/2010"), ("sex", "x"),
                                         ("last_name", "x" * 101), ("commune", "a\x00b")])
def test_bad_rectifications_change_nothing(client, personas, case, field, value):
    client.force_login(personas.coord_a)
    person = case.person
    data = {"last_name": "Nom", "first_name": "Prénom", "birth_date": person.birth_date, "sex": "f",
            "commune": "Pantin", "address": "", "situation": "unknown", field: value}
    response = client.post(reverse("retention:rectify", args=[case.pk, "jeune", person.pk]), data)
    assert response.status_code == 400 and "fr-error-text" in response.content.decode()
    assert Person.objects.get(pk=person.pk).last_name == person.last_name


def test_an_open_case_is_rectified_through_the_cases_own_entry_point(personas, db):
    from tests.cases.factories import CaseFactory

    case = CaseFactory(coordinator=personas.coord_a)
    actions.rectify(personas.coord_a, case, case.person, commune="Pantin", search_name="ignored")
    assert Event.objects.filter(action="case.person_edit").latest("id").object_id == str(case.pk)
    assert Person.objects.get(cases=case).commune == "Pantin"


def test_a_coordinator_places_and_lifts_a_hold_from_the_case_page(client, personas, case):
    client.force_login(personas.coord_a)
    hold_url = reverse("cases:action", args=[case.pk, "geler"])
    assert client.post(hold_url, {"reason": "  "}).status_code == 400  # a reason is required
    assert client.post(hold_url, {"reason": "Réquisition du parquet"}).status_code == 302
    hold = LegalHold.objects.get(case=case, lifted_at__isnull=True)
    assert Event.objects.filter(action="retention.hold_place").latest("id").details == {
        "signalement": case.reference, "gel": hold.pk}
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Sous gel de conservation" in page and "Lever le gel de conservation" in page
    assert client.post(reverse("cases:action", args=[case.pk, "lever-gel"]), {"reason": "Classé"}).status_code == 302
    hold.refresh_from_db()
    assert hold.lifted_by == personas.coord_a and hold.lift_reason == "Classé"


def test_a_member_may_not_place_a_hold(client, personas, case):
    from organisation.policy import AccessDenied

    with pytest.raises(AccessDenied):
        actions.place_hold(personas.member_a, case, reason="Pourquoi pas")
    client.force_login(personas.coord_a)
    actions.place_hold(personas.coord_a, case, reason="Réquisition")
    with pytest.raises(ActionRefused, match="déjà sous gel"):
        actions.place_hold(personas.coord_a, case, reason="Deux fois")


def test_after_a_transfer_the_receiving_cellule_answers_with_the_file_that_came_along(client, personas, db):
    from tests.cases.factories import CaseFactory, transferred

    origin = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True,
                         facts="Faits d'avant le transfert.")
    continued = transferred(personas, origin)
    client.force_login(personas.coord_a)  # the sending cellule keeps a tombstone: it answers no more
    assert client.get(reverse("retention:persons", args=[origin.pk])).status_code == 404
    client.force_login(personas.coord_b)
    files = opened(client.get(reverse("retention:export", args=[continued.pk, "jeune", continued.person.pk])))
    cases = {row[0] for row in rows(files["signalement.csv"])[2:]}
    assert cases == {origin.reference, continued.reference}
    assert "Faits d'avant le transfert." in files["signalement.csv"].decode("utf-8-sig")
    assert len(rows(files["prises_en_charge.csv"])) == 2 + 1  # the measure of the 93, ended at the transfer
    assert len(rows(files["consultations_et_actions.csv"])) > 2 + 3
