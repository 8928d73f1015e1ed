"""The intake API: a source sends a signalement (201, the case reference and its URL), reads its state;
a retried call gives the first answer; every error is a French problem detail, never a 500."""

import datetime
import json

import pytest
from django.utils import timezone

from audit.models import Event
from cases.models import Case
from intake.models import Submission
from tests.audit.trail import minute_over
from tests.intake.conftest import API, post, signalement


def test_a_signalement_is_registered_in_the_accounts_departement(client, personas):
    response = post(client, personas.token, signalement())
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(reference=body["reference"])
    assert case.departement.code == "93" and case.source == "cnapr" and case.state == "received"
    assert case.person.last_name == "N'Diaye-Lefèvre" and case.relatives.get().phone == "06 12 34 56 78"
    assert body["url"] == f"http://testserver{API}/CNAPR-2026-00042" == response["Location"]
    assert body["case_url"] == f"http://testserver/signalements/{case.pk}/"
    # The trail: the case's intake and the call, both under the account's name.
    intake = Event.objects.get(action="case.intake", object_id=str(case.pk))
    call = Event.objects.get(action="intake.api_call", request_id=intake.request_id)
    assert intake.actor_label == call.actor_label == "api:cnapr-93" and intake.actor_id is None
    assert call.details == {"méthode": "POST", "chemin": API, "statut": 201, "signalement": case.reference}
    assert call.departement == "93"


def test_its_state_is_read_by_the_source_only(client, personas):
    reference = post(client, personas.token, signalement()).json()["reference"]
    response = client.get(f"{API}/CNAPR-2026-00042", HTTP_AUTHORIZATION=f"Bearer {personas.token}")
    assert response.status_code == 200
    assert response.json() == {
        "reference": reference, "source_reference": "CNAPR-2026-00042", "state": "received", "state_label": "Reçu",
        "received_on": (datetime.date.today() - datetime.timedelta(days=2)).isoformat(),
        "registered_at": response.json()["registered_at"], "closed_on": None}
    # Another département's account, another source's, and an unknown reference: the same 404.
    for token, path in [(personas.token_b, "CNAPR-2026-00042"), (personas.token_ems, "CNAPR-2026-00042"),
                        (personas.token, "CNAPR-0000")]:
        response = client.get(f"{API}/{path}", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
        assert response.json()["detail"] == "Aucun signalement de cette source ne porte cette référence."


def test_a_retried_call_gives_the_first_answer(client, personas):
    first = post(client, personas.token, signalement(), HTTP_IDEMPOTENCY_KEY="cle-1")
    again = post(client, personas.token, signalement(), HTTP_IDEMPOTENCY_KEY="cle-1")
    by_reference = post(client, personas.token, signalement(), HTTP_IDEMPOTENCY_KEY="cle-2")
    without_key = post(client, personas.token, signalement())
    assert first.status_code == again.status_code == by_reference.status_code == without_key.status_code == 201
    assert first.content == again.content == by_reference.content == without_key.content
    assert Case.objects.count() == 1 and Submission.objects.count() == 1


def test_a_key_or_a_reference_reused_for_another_signalement_is_refused(client, personas):
    post(client, personas.token, signalement(), HTTP_IDEMPOTENCY_KEY="cle-1")
    other_key = post(client, personas.token, signalement(source_reference="CNAPR-2"), HTTP_IDEMPOTENCY_KEY="cle-1")
    assert other_key.status_code == 422 and "clé d'idempotence a déjà servi" in other_key.json()["detail"]
    other_body = post(client, personas.token, signalement(facts="Autres faits."))
    assert other_body.status_code == 409 and other_body["Content-Type"] == "application/problem+json"
    assert "déjà été reçu, avec un autre contenu" in other_body.json()["detail"]
    assert Case.objects.count() == 1


def test_the_same_reference_from_another_departement_or_source_is_another_signalement(client, personas):
    answers = [post(client, token, signalement()) for token in (personas.token, personas.token_b, personas.token_ems)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    # The 69 opens its own case; the EMS's signalement of the same young person goes on the 93's case.
    assert sorted(Case.objects.values_list("departement__code", "source")) == [("69", "cnapr"), ("93", "cnapr")]
    assert answers[2].json()["existing_case"] and answers[2].json()["reference"] == answers[0].json()["reference"]


def errors(response) -> dict[str, str]:
    assert response["Content-Type"] == "application/problem+json", response.content
    body = response.json()
    assert body["status"] == response.status_code and body["title"] and body["type"]
    return {error["pointer"]: error["detail"] for error in body.get("errors", [])}


def person(**overrides) -> dict:
    return {**signalement()["young_person"], **overrides}


TOMORROW = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
BAD = [
    ({"received_on": TOMORROW}, "#/received_on", "La date de réception ne peut pas être dans le futur."),
    ({"received_on": "17/05/2026"}, "#/received_on", "Date invalide : format attendu AAAA-MM-JJ."),
    ({"received_on": "2026-02-30"}, "#/received_on", "Date invalide : format attendu AAAA-MM-JJ."),
    ({"received_on": 1767225600}, "#/received_on", "Une date est attendue, au format AAAA-MM-JJ."),
    ({"facts": ""}, "#/facts", "Ce champ ne peut pas être vide."),
    ({"facts": "x" * 2001}, "#/facts", "Au plus 2000 caractères."),
    ({"facts": "nul\x00"}, "#/facts", "Caractères non permis (caractère nul ou de contrôle)."),
    ({"facts": 12}, "#/facts", "Un texte est attendu."),
    ({"source_reference": "../x"}, "#/source_reference", "Caractères non permis (caractère nul ou de contrôle)."),
    ({"colour": "bleu"}, "#/colour", "Champ inconnu : retirez-le."),
    ({"young_person": person(birth_date=TOMORROW)}, "#/young_person/birth_date",
     "La date de naissance ne peut pas être dans le futur."),
    ({"young_person": person(birth_date="1990-01-01")}, "#/young_person/birth_date", None),
    ({"young_person": person(sex="x")}, "#/young_person/sex", "Valeur inconnue ; valeurs permises : f ou m."),
    ({"young_person": "Éloïse"}, "#/young_person", "Un objet JSON est attendu."),
    ({"relatives": [{"relation": "mother", "last_name": "A", "first_name": "B", "phone": "abc"}]},
     "#/relatives/0/phone", "Numéro de téléphone invalide (chiffres, espaces, points, tirets)."),
    ({"relatives": [{"relation": "mother", "last_name": "A", "first_name": "B", "email": "pas-un-courriel"}]},
     "#/relatives/0/email", "Saisissez une adresse de courriel valide."),
    ({"relatives": [{"relation": "mother", "last_name": "A", "first_name": "B", "parental_authority": "oui"}]},
     "#/relatives/0/parental_authority", "Un booléen est attendu (true ou false)."),
    ({"relatives": {}}, "#/relatives", "Une liste est attendue."),
]


@pytest.mark.parametrize(("change", "place", "message"), BAD)
def test_bad_input_is_refused_field_by_field_in_french(client, personas, change, place, message):
    response = post(client, personas.token, signalement(**change))
    assert response.status_code == 422
    found = errors(response)
    assert place in found, found
    if message:
        assert found[place] == message
    assert not Case.objects.exists() and not Submission.objects.exists()


def test_missing_fields_are_named(client, personas):
    found = errors(post(client, personas.token, {}))
    assert {found[f"#/{name}"] for name in ("source_reference", "received_on", "facts", "young_person")} == {
        "Ce champ est obligatoire."}


@pytest.mark.parametrize("body", ["{", "[]", "null", "\xff\xfe", '"texte"', "1e999999"])
def test_a_body_that_is_no_signalement_is_a_problem(client, personas, body):
    response = post(client, personas.token, body)
    assert response.status_code in (400, 422)
    errors(response)


def test_a_huge_body_is_refused_before_it_is_read(client, personas):
    response = post(client, personas.token, signalement(facts="x" * 100_000))
    assert response.status_code == 413 and "64 Kio" in response.json()["detail"]


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Basic abc", "Bearer cds_x_y", "Bearer " + "a" * 5000])
def test_no_valid_token_is_a_401_recorded(client, personas, authorization):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = client.post(API, data=json.dumps(signalement()), content_type="application/json", **headers)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    errors(response)
    minute_over()
    refused = Event.objects.get(action="intake.api_refusals")
    assert (refused.actor_label, refused.details["nombre"]) == ("api (sans jeton valide)", 1)
    assert not Case.objects.exists()


def test_a_wrong_secret_for_a_known_key_is_refused(client, personas):
    key_id = personas.account.key_id
    response = post(client, f"cds_{key_id}_{'A' * 43}", signalement())
    assert response.status_code == 401 and response.json()["detail"] == "Jeton inconnu ou mal formé."


def test_the_same_young_person_sent_again_goes_on_the_followed_case_and_a_near_one_is_flagged(
        client, personas, mailoutbox, django_capture_on_commit_callbacks):
    from cases.models import CaseSignalement

    first = post(client, personas.token, signalement())
    with django_capture_on_commit_callbacks(execute=True):  # the followed case's coordinators are told
        again = post(client, personas.token, signalement(source_reference="CNAPR-2026-00043", young_person=person(
            last_name="Ndiaye Lefevre", first_name="Eloise")))
    near = post(client, personas.token, signalement(source_reference="CNAPR-2026-00044", young_person=person(
        last_name="N'Diaye-Lefebvre")))
    other = post(client, personas.token, signalement(source_reference="CNAPR-2026-00045", young_person=person(
        last_name="Martin", first_name="Jade", birth_date="2012-01-09")))
    answers = [(r.status_code, r.json()["existing_case"], r.json()["possible_duplicate"])
               for r in (first, again, near, other)]
    assert answers == [(201, False, False), (201, True, False), (201, False, True), (201, False, False)]
    assert again.json()["reference"] == first.json()["reference"] and Case.objects.count() == 3
    added = CaseSignalement.objects.get()
    assert (added.case.reference, added.source_reference, added.recorded_by) == (
        first.json()["reference"], "CNAPR-2026-00043", None)
    assert any(first.json()["reference"] in m.subject for m in mailoutbox)
    status = client.get("/api/v1/signalements/CNAPR-2026-00043", HTTP_AUTHORIZATION=f"Bearer {personas.token}")
    assert status.json()["reference"] == first.json()["reference"]
    assert post(client, personas.token, signalement(source_reference="CNAPR-2026-00043", young_person=person(
        last_name="Ndiaye Lefevre", first_name="Eloise"))).json() == again.json()  # a retry: the same answer


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/inconnu", "/api/v1/signalements/a/b", "/api/v1/%00"])
def test_an_unknown_address_of_the_api_is_a_problem_too(client, personas, path):
    for method in (client.get, client.post, client.delete):
        response = method(path, HTTP_AUTHORIZATION=f"Bearer {personas.token}")
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
        assert response.json()["detail"] == "Adresse inconnue de l'API."
