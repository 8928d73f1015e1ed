"""What the cellule writes for the mobile team names no family and no address on file (issue 28, point 9).

The team receives the young person's first name, age and commune and the texts written for it; a text
that names the young person's or a relative's family name, or the street of an address on file, is
refused with what it found, and nothing is sent. How to reach the family, when it agreed, is the one
place for its details."""

import html

import pytest
from django.urls import reverse

from cases.models import Case
from mobile_team.models import MobileTeamRequest, RequestMessage
from tests.cases.factories import CaseFactory, person_data

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

YOUNG = {"first_name": "Yasmine", "last_name": "Benali", "sex": "f", "commune": "Saint-Denis",
         "address": "12 rue des Lilas, 93200 Saint-Denis"}
RELATIVES = [
    {"relation": "mother", "last_name": "Benali", "first_name": "Samira", "phone": "06 12 34 56 78",
     "address": "12 rue des Lilas, 93200 Saint-Denis", "parental_authority": True},
    {"relation": "father", "last_name": "N'Diaye-Kessler", "first_name": "Marc", "phone": "06 98 76 54 32",
     "address": "5 av. Jean Jaurès, 93100 Montreuil", "parental_authority": True},
]
FORM = {"motive": "Regard clinique.", "expected": "individual_care", "urgency": "normal",
        "summary": "Repli sur soi depuis la rentrée.", "preferred_dates": "", "preferred_place": ""}


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def in_care(personas):
    return CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True,
                       person=person_data(**YOUNG), relatives=RELATIVES)


def ask(client, case, **typed):
    return client.post(reverse("cases:action", args=[case.pk, "equipe-mobile"]), {**FORM, **typed})


@pytest.mark.parametrize("typed,found", [
    ({"summary": "Yasmine Benali, isolée ; sa mère Mme Benali au 12 rue des Lilas."},
     ["le nom de famille « Benali » (la jeune, sa mère)", "l'adresse « 12 rue des Lilas » (la jeune, sa mère)"]),
    ({"summary": "La mère, MME BÉNALI, s'inquiète."}, ["le nom de famille « BÉNALI »"]),
    ({"summary": "Le père, M. N'Diaye, vit ailleurs."}, ["le nom de famille « N'Diaye » (son père)"]),
    ({"summary": "Le père vit à Montreuil, 5 avenue Jean-Jaurès."}, ["l'adresse « 5 avenue Jean-Jaurès » (son père)"]),
    ({"motive": "Demande de Mme Kessler."}, ["le nom de famille « Kessler » (son père)"]),
    ({"preferred_place": "Au domicile, rue des lilas"}, ["l'adresse « rue des lilas »"]),
], ids=["issue", "accents-and-case", "particle", "abbreviated-street", "motive", "place"])
def test_a_text_naming_the_family_or_an_address_on_file_is_refused_and_nothing_is_sent(
        client, personas, in_care, typed, found):
    client.force_login(personas.coord_a)
    response = ask(client, in_care, **typed)
    page = text(response)
    assert response.status_code == 400
    assert "l'équipe mobile ne reçoit ni nom de famille ni adresse" in page
    assert all(what in page for what in found), page
    assert not MobileTeamRequest.objects.exists()
    assert Case.objects.get(pk=in_care.pk).state == "in_care"


@pytest.mark.parametrize("summary", [
    "Yasmine, 15 ans, repli sur soi ; la mère s'inquiète.",
    "Rencontre prévue rue des Roses, près du collège Benalia.",  # another street, a longer word
    "Sa mère habite Saint-Denis.",  # the commune is given to the team
], ids=["first-name", "whole-words-only", "commune"])
def test_a_text_with_nothing_of_the_file_goes_to_the_team_as_typed(client, personas, in_care, summary):
    client.force_login(personas.coord_a)
    assert ask(client, in_care, summary=summary).status_code == 302
    request = in_care.mobile_team_requests.get()
    client.force_login(personas.mobile)
    page = text(client.get(reverse("mobile_team:request", args=[request.pk])))
    assert summary in page and "Benali " not in page and "Lilas" not in page


def test_how_to_reach_the_family_who_agreed_may_carry_its_name_and_address(client, personas, in_care):
    client.force_login(personas.coord_a)
    response = ask(client, in_care, family_agrees="on", preferred_place="Au domicile, 12 rue des Lilas",
                   family_contact="Mme Benali, 06 12 34 56 78, 12 rue des Lilas")
    assert response.status_code == 302, text(response)
    assert in_care.mobile_team_requests.get().family_contact == "Mme Benali, 06 12 34 56 78, 12 rue des Lilas"


def test_the_form_says_what_the_team_receives(client, personas, in_care):
    client.force_login(personas.coord_a)
    page = text(client.get(reverse("cases:action", args=[in_care.pk, "equipe-mobile"])))
    assert ("L'équipe reçoit le prénom, l'âge et la commune du jeune, et les textes de cette demande : ni nom de "
            "famille, ni adresse") in page


def test_a_message_of_the_cellule_naming_the_family_is_not_sent(client, personas, in_care):
    client.force_login(personas.coord_a)
    assert ask(client, in_care).status_code == 302
    request = in_care.mobile_team_requests.get()
    response = client.post(reverse("mobile_team:message", args=[request.pk]),
                           {"text": "Mme Benali rappellera mardi."}, follow=True)
    assert "le nom de famille « Benali » (la jeune, sa mère)" in text(response)
    assert not RequestMessage.objects.exists()
    client.force_login(personas.mobile)  # the team's own messages are the team's
    assert client.post(reverse("mobile_team:message", args=[request.pk]),
                       {"text": "Mme Benali nous a appelés."}).status_code == 302
    assert RequestMessage.objects.count() == 1
