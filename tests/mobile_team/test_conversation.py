"""The mobile team's conversation with the cellule: the request's contact at the
préfecture and, if the family agreed, how to reach it; the message thread with its read receipts and
e-mail notices; the national level's view of the team's dashboard, aggregates only."""

import html
import re

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import Event
from cases.models import Case
from mobile_team import actions as mobile
from mobile_team.models import MobileTeamRequest, RequestMessage
from tests.cases.factories import CaseFactory, person_data
from tests.organisation.factories import MembershipFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

YOUNG = {"first_name": "Yanis", "last_name": "Kerbrat-Vasseur"}
REQUEST_FORM = {"motive": "Regard clinique", "expected": "family_support", "urgency": "normal",
                "summary": "Repli sur soi depuis la rentrée."}


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def case(personas):
    """A case the team was called on, its référent a member of the cellule (who may read it)."""
    return CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, mobile_team_requested=True,
                       person=person_data(**YOUNG))


@pytest.fixture
def in_care(personas):
    return CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True,
                       person=person_data(**YOUNG))


# --- The request's contact at the préfecture and the family's --------------------------------------

@pytest.fixture
def colleague(personas):
    """An agent of the coordinator's préfecture who sits at the cellule as a member."""
    return MembershipFactory(cell=personas.cell_a, institution=personas.coord_a.memberships.get().institution,
                             user__username="colleague", user__first_name="Prénom-Collègue",
                             user__last_name="Nom-Collègue", function="Chargée de mission").user


def contacts_offered(page: str) -> list[str]:
    select = re.search(r'<select name="contact".*?</select>', page, re.S)
    assert select, page
    return [label.strip() for label in re.findall(r"<option [^>]*>([^<]*)</option>", select.group())]


def test_the_request_names_its_contact_and_how_to_reach_the_family_who_agreed(client, personas, in_care, colleague):
    client.force_login(personas.coord_a)
    response = client.post(reverse("cases:action", args=[in_care.pk, "equipe-mobile"]), {
        **REQUEST_FORM, "contact": colleague.pk, "family_agrees": "on", "family_contact": "Mère : 06 11 22 33 44"})
    assert response.status_code == 302, text(response)
    request = in_care.mobile_team_requests.get()
    assert (request.contact, request.family_agrees) == (colleague, True)
    client.force_login(personas.mobile)
    page = text(client.get(reverse("mobile_team:request", args=[request.pk])))
    assert colleague.get_full_name() in page and "Mère : 06 11 22 33 44" in page


def test_the_contact_is_chosen_once_among_the_prefectures_people_the_requester_first(
        client, personas, in_care, colleague):
    """Issue 28, point 10: not « — moi-même — » and the coordinator's name, nor the other institutions' members."""
    MembershipFactory(cell=personas.cell_a, user=colleague, institution=colleague.memberships.get().institution,
                      function="Chargée de mission", coordinator=True)  # a second role: still one choice
    client.force_login(personas.coord_a)
    page = text(client.get(reverse("cases:action", args=[in_care.pk, "equipe-mobile"])))
    assert contacts_offered(page) == [f"{personas.coord_a.get_full_name()} (vous) — Chargé de mission",
                                      "Prénom-Collègue Nom-Collègue — Chargée de mission"]
    assert re.search(rf'<option value="{personas.coord_a.pk}" selected>', page)


def test_the_contact_is_the_requester_by_default_and_the_family_is_not_reached_without_its_agreement(
        client, personas, in_care):
    client.force_login(personas.coord_a)
    assert client.post(reverse("cases:action", args=[in_care.pk, "equipe-mobile"]), REQUEST_FORM).status_code == 302
    request = in_care.mobile_team_requests.get()
    assert (request.contact, request.family_agrees, request.family_contact) == (personas.coord_a, False, "")
    client.force_login(personas.mobile)
    page = text(client.get(reverse("mobile_team:request", args=[request.pk])))
    assert "La famille n'a pas accepté d'être contactée directement par l'équipe." in page


@pytest.mark.parametrize("wrong,message", [
    ({"family_contact": "06 11 22 33 44"}, "La famille n'a pas accepté d'être contactée par l'équipe"),
    ({"family_agrees": "on"}, "Indiquez comment l'équipe peut joindre la famille."),
    ({"family_agrees": "on", "family_contact": "x" * 301}, "comporte au plus 300 caractères"),
    ({"contact": "999999"}, "Sélectionnez un choix valide."),
    ({"contact": "coord_b"}, "Sélectionnez un choix valide."),  # another département's coordinator
    ({"contact": "member_a"}, "Sélectionnez un choix valide."),  # a member of another institution
], ids=["contact-without-agreement", "agreement-without-contact", "too-long", "unknown", "other-departement",
        "other-institution"])
def test_a_bad_contact_is_refused_in_french_and_changes_nothing(client, personas, in_care, wrong, message):
    if wrong.get("contact") in ("coord_b", "member_a"):
        wrong = {"contact": getattr(personas, wrong["contact"]).pk}
    client.force_login(personas.coord_a)
    response = client.post(reverse("cases:action", args=[in_care.pk, "equipe-mobile"]), {**REQUEST_FORM, **wrong})
    assert response.status_code == 400 and message in text(response)
    assert not MobileTeamRequest.objects.exists()
    assert Case.objects.get(pk=in_care.pk).state == "in_care"


@pytest.mark.parametrize("who", ["coord_b", "member_a", "former"])
def test_the_entry_point_refuses_a_contact_outside_the_prefecture_of_the_cellule(personas, in_care, who):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        mobile.request_mobile_team(personas.coord_a, in_care, contact=getattr(personas, who), **REQUEST_FORM)
    assert raised.value.message_dict == {"contact": [
        "Le contact de l'équipe est une personne de la préfecture qui siège à la cellule du signalement."]}
    assert not MobileTeamRequest.objects.exists()


# --- The message thread --------------------------------------------------------------------------

def test_the_team_and_the_coordinators_converse_with_read_receipts_and_notices_without_names(
        client, personas, case, django_capture_on_commit_callbacks):
    request = case.mobile_team_requests.get()
    thread = reverse("mobile_team:message", args=[request.pk])
    client.force_login(personas.mobile)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(thread, {"text": "Yanis peut-il venir mardi ?"}).status_code == 302
    (notice,) = mail.outbox
    assert notice.to == ["coord_a@example.invalid"]
    assert "yanis" not in (notice.subject + notice.body).casefold() and "kerbrat" not in notice.body.casefold()
    assert reverse("cases:detail", args=[case.pk]) in notice.body

    client.force_login(personas.coord_a)
    page = text(client.get(reverse("cases:detail", args=[case.pk])))
    assert "Yanis peut-il venir mardi ?" in page
    message = RequestMessage.objects.get()
    assert (message.from_team, message.read_by) == (True, personas.coord_a)
    read = Event.objects.get(action="mobile_request.messages_read")
    assert (read.actor, read.departement, read.details["messages"]) == (personas.coord_a, "93", [message.pk])

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(thread, {"text": "Oui, à 14 h au collège."})
    assert response.url == reverse("cases:detail", args=[case.pk]) + "#equipe-mobile"
    assert sorted(mail.outbox[0].to) == ["mobile@example.invalid"]  # nobody took the request yet: every agent
    assert "yanis" not in mail.outbox[0].body.casefold()

    client.force_login(personas.mobile)
    page = text(client.get(reverse("mobile_team:request", args=[request.pk])))
    assert "Oui, à 14 h au collège." in page
    assert f"Lu le {message.read_at.astimezone().strftime('%d/%m/%Y')}" in page  # the team sees its receipt
    assert RequestMessage.objects.get(text__startswith="Oui").read_by == personas.mobile
    assert Event.objects.filter(action="mobile_request.message").count() == 2


@pytest.mark.parametrize("who,status", [("coord_b", 404), ("member_b", 404), ("national", 404), ("outsider", 404),
                                        ("member_a", 403), ("inspector", 403)])
def test_others_cannot_write_on_the_request(client, personas, case, who, status):
    client.force_login(getattr(personas, who))
    response = client.post(reverse("mobile_team:message", args=[case.mobile_team_requests.get().pk]),
                           {"text": "Bonjour."})
    assert response.status_code == status
    assert not RequestMessage.objects.exists()
    assert not Event.objects.filter(action="mobile_request.message").exists()


def test_the_référent_sees_the_thread_but_neither_writes_nor_marks_it_read(client, personas, case):
    mobile.send_message(personas.mobile, case.mobile_team_requests.get(), "Question de l'équipe.")
    client.force_login(personas.member_a)
    page = text(client.get(reverse("cases:detail", args=[case.pk])))
    assert "Question de l'équipe." in page and "Envoyer le message" not in page
    assert RequestMessage.objects.get().read_at is None


@pytest.mark.parametrize("who", ["mobile", "coord_a"])
@pytest.mark.parametrize("typed,message", [
    ("   ", "Ce champ est obligatoire."),
    ("x" * 2001, "comporte au plus 2000 caractères"),
    ("Bonjour\x00", "Le caractère nul n’est pas autorisé."),
], ids=["empty", "too-long", "nul"])
def test_a_bad_message_is_refused_in_french_and_changes_nothing(client, personas, case, who, typed, message):
    """Refused on a page of its own that keeps the message as typed (issue 28, point 1), whichever page it came from."""
    client.force_login(getattr(personas, who))
    response = client.post(reverse("mobile_team:message", args=[case.mobile_team_requests.get().pk]),
                           {"text": typed})
    page = text(response)
    assert response.status_code == 400 and message in page and "Message non envoyé" in page
    if typed.strip() and "\x00" not in typed:
        assert typed in page
    assert not RequestMessage.objects.exists()


def test_the_entry_point_refuses_a_nul_byte(personas, case):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        mobile.send_message(personas.mobile, case.mobile_team_requests.get(), "Bonjour\x00")
    assert raised.value.message_dict == {"text": ["Le message contient un caractère non autorisé."]}
    assert not RequestMessage.objects.exists()


# --- The national level --------------------------------------------------------------------------

def test_the_national_level_sees_the_teams_aggregates_and_no_name(client, personas, case):
    mobile.send_message(personas.mobile, case.mobile_team_requests.get(), "Yanis est-il scolarisé ?")
    client.force_login(personas.national)
    response = client.get(reverse("mobile_team:dashboard"))
    page = text(response)
    assert response.status_code == 200
    assert "Demandes en cours par département" in page and "<td>93</td><td>1</td>" in page
    assert "Yanis" not in page and "Kerbrat" not in page and case.reference not in page
    assert client.get(reverse("mobile_team:request", args=[case.mobile_team_requests.get().pk])).status_code == 403


# --- Files in the conversation ---------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def test_a_message_carries_files_read_by_both_sides_each_read_recorded(client, personas, case, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    request = case.mobile_team_requests.get()
    client.force_login(personas.mobile)
    response = client.post(reverse("mobile_team:message", args=[request.pk]), {
        "text": "Compte rendu du premier entretien.",
        "attachments": [SimpleUploadedFile("entretien.pdf", PDF, content_type="application/pdf")]})
    assert response.status_code == 302
    file = RequestMessage.objects.get().attachments.get()
    url = reverse("mobile_team:message_attachment", args=[request.pk, file.pk])
    assert "entretien.pdf" in text(client.get(reverse("mobile_team:request", args=[request.pk])))
    for who in ("mobile", "coord_a", "member_a"):  # the team, the coordinators, the référent who reads the thread
        client.force_login(getattr(personas, who))
        if who != "mobile":
            assert "entretien.pdf" in text(client.get(reverse("cases:detail", args=[case.pk])))
        response = client.get(url)
        assert response.status_code == 200 and response.content == PDF, who
        assert response["X-Content-Type-Options"] == "nosniff"
        read = Event.objects.filter(action="mobile_request.attachment_read").latest("id")
        assert (read.actor, read.details["pièce"]) == (getattr(personas, who), file.pk)
    for who in ("coord_b", "member_b", "national", "outsider"):
        client.force_login(getattr(personas, who))
        assert client.get(url).status_code == 404, who
    other = CaseFactory(coordinator=personas.coord_a, mobile_team_requested=True).mobile_team_requests.get()
    client.force_login(personas.mobile)
    assert client.get(reverse("mobile_team:message_attachment", args=[other.pk, file.pk])).status_code == 404


def test_a_bad_file_sends_no_message(client, personas, case, settings):
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    before = set(Path(settings.ATTACHMENTS_ROOT).rglob("*"))
    client.force_login(personas.coord_a)
    response = client.post(reverse("mobile_team:message", args=[case.mobile_team_requests.get().pk]), {
        "text": "Voici le courrier.", "attachments": [
            SimpleUploadedFile("courrier.pdf", PDF), SimpleUploadedFile("courrier.exe", b"MZ\x90\x00")]},
        follow=True)
    assert "n'est pas un fichier accepté" in text(response)
    assert not RequestMessage.objects.exists() and set(Path(settings.ATTACHMENTS_ROOT).rglob("*")) == before
