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
    case = Case.objects.get(source_reference="CNAPR-2026-00042")
    assert case.departement.code == "93" and case.source == "cnapr" and case.state == "received"
    assert case.person.last_name == "N'Diaye-Lefèvre" and case.relatives.get().phone == "06 12 34 56 78"
    # What the source sent, and where to read its state: nothing of the cellule's file.
    assert body == {"source_reference": "CNAPR-2026-00042", "url": f"http://testserver{API}/CNAPR-2026-00042"}
    assert body["url"] == response["Location"]
    # The trail: the case's intake and the call, both under the account's name.
    intake = Event.objects.get(action="case.intake", object_id=str(case.pk))
    call = Event.objects.get(action="intake.api_call", request_id=intake.request_id)
    assert intake.actor_label == call.actor_label == "api:cnapr-93" and intake.actor_id is None
    assert call.details == {"méthode": "POST", "chemin": API, "statut": 201, "signalement": case.reference}
    assert call.departement == "93"


def test_its_state_is_read_by_the_source_only(client, personas):
    post(client, personas.token, signalement())
    response = client.get(f"{API}/CNAPR-2026-00042", HTTP_AUTHORIZATION=f"Bearer {personas.token}")
    assert response.status_code == 200
    assert response.json() == {
        "source_reference": "CNAPR-2026-00042", "state": "received", "state_label": "Reçu par la cellule",
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
    assert Case.objects.get(departement__code="93").signalements.get().source == "ems"


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


def test_the_same_young_person_sent_again_goes_on_the_followed_case_told_to_the_cellule_not_to_the_source(
        client, personas, mailoutbox, django_capture_on_commit_callbacks):
    """Another source sends a signalement of a young person the cellule follows (on the CNAPR's): the
    signalement goes on the followed case and its coordinators are told; the source is answered as
    for any signalement, its state is its own: it learns neither that the minor is followed,
    nor the case's reference or state."""
    from cases import actions
    from cases.models import CaseSignalement

    first = post(client, personas.token, signalement())
    followed = Case.objects.get()
    actions.record_family_contact(personas.coord_a, followed, on=followed.received_on, channel="phone",
                                  outcome="reached")  # the follow-up has moved on: nothing of it is told
    with django_capture_on_commit_callbacks(execute=True):
        again = post(client, personas.token_ems, signalement(source_reference="EMS-7", young_person=person(
            last_name="Ndiaye Lefevre", first_name="Eloise")))
    near = post(client, personas.token_ems, signalement(source_reference="EMS-8", young_person=person(
        last_name="N'Diaye-Lefebvre")))
    other = post(client, personas.token_ems, signalement(source_reference="EMS-9", young_person=person(
        last_name="Martin", first_name="Jade", birth_date="2012-01-09")))
    assert [r.status_code for r in (first, again, near, other)] == [201] * 4
    assert {tuple(r.json()) for r in (first, again, near, other)} == {("source_reference", "url")}
    added = CaseSignalement.objects.get()
    assert (added.case, added.source_reference, added.recorded_by) == (followed, "EMS-7", None)
    assert Case.objects.count() == 3 and any(followed.reference in m.subject for m in mailoutbox)
    states = [client.get(f"{API}/{ref}", HTTP_AUTHORIZATION=f"Bearer {personas.token_ems}").json()
              for ref in ("EMS-7", "EMS-8")]
    assert [{k: v for k, v in s.items() if k != "registered_at"} for s in states] == [
        {"source_reference": ref, "state": "received", "state_label": "Reçu par la cellule", "closed_on": None}
        for ref in ("EMS-7", "EMS-8")]
    assert all(followed.reference not in text for text in (again.content.decode(), *map(json.dumps, states)))
    assert post(client, personas.token_ems, signalement(source_reference="EMS-7", young_person=person(
        last_name="Ndiaye Lefevre", first_name="Eloise"))).json() == again.json()  # a retry: the same answer
    # The trail, inside the cellule, names the case the signalement went on.
    call = Event.objects.filter(action="intake.api_call", actor_label="api:ems-93").order_by("id").first()
    assert call.details["signalement"] == followed.reference


def test_the_same_young_person_sent_after_their_case_closed_gets_a_new_case_on_the_same_record(client, personas):
    """Their case closed, the young person signalé again by another source is the same record: a new
    case opens on them, the earlier one stays closed; a near match opens a new person, for the cellule
    to look at."""
    from cases import actions
    from cases.models import CaseSignalement, Person

    post(client, personas.token, signalement())
    closed = Case.objects.get()
    actions.close(personas.coord_a, closed, reason="unfounded", note="Sans suite.")
    again = post(client, personas.token_ems, signalement(source_reference="EMS-7", young_person=person(
        last_name="Ndiaye Lefevre", first_name="Eloise")))
    near = post(client, personas.token_ems, signalement(source_reference="EMS-8", young_person=person(
        last_name="N'Diaye-Lefebvre")))
    assert [again.status_code, near.status_code] == [201, 201]
    reopened = Case.objects.get(source_reference="EMS-7")
    assert reopened.person_id == closed.person_id and reopened.state == "received"
    assert Case.objects.get(source_reference="EMS-8").person_id != closed.person_id
    assert Person.objects.count() == 2 and not CaseSignalement.objects.exists()
    closed.refresh_from_db()
    assert closed.state == "closed"


def test_a_closed_follow_up_is_all_the_source_reads_of_it(client, personas):
    from cases import actions

    post(client, personas.token, signalement())
    case = Case.objects.get()
    actions.close(personas.coord_a, case, reason="unfounded", note="Sans suite.")
    state = client.get(f"{API}/CNAPR-2026-00042", HTTP_AUTHORIZATION=f"Bearer {personas.token}").json()
    assert (state["state"], state["state_label"], state["closed_on"]) == (
        "closed", "Suivi clôturé par la cellule", timezone.localdate().isoformat())


def test_a_first_answer_kept_before_says_no_more_when_given_again(client, personas):
    """A retried call replays the first answer: one kept with the case's reference and the match
    (as earlier versions kept them) is given again without them."""
    first = post(client, personas.token, signalement())
    Submission.objects.update(response={**first.json(), "reference": "93-2026-0001", "existing_case": True,
                                        "possible_duplicate": False, "case_url": "http://testserver/signalements/1/"})
    assert post(client, personas.token, signalement()).json() == first.json()


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/inconnu", "/api/v1/signalements/a/b", "/api/v1/%00"])
def test_an_unknown_address_of_the_api_is_a_problem_too(client, personas, path):
    for method in (client.get, client.post, client.delete):
        response = method(path, HTTP_AUTHORIZATION=f"Bearer {personas.token}")
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
        assert response.json()["detail"] == "Adresse inconnue de l'API."
