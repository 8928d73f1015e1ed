"""The intake form's duplicate check, through HTTP as a coordinator: the candidates shown before
anything is saved, a link to the followed case or a new person confirmed once, and the refusals."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases import actions
from cases.models import Case, CaseSignalement
from tests.cases.factories import CaseFactory, person_data

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

BORN = datetime.date(2010, 3, 4)
URL = reverse("cases:intake")


def form(**overrides) -> dict:
    today = timezone.localdate()
    return {"source": "cnapr", "source_reference": "CNAPR-2026-0042", "received_on": today.isoformat(),
            "facts": "Propos de rupture rapportés par le collège.", "orientation_note": "",
            "person_last_name": "N'Diaye-Lefèvre", "person_first_name": "Éloïse", "person_birth_date": BORN.isoformat(),
            "person_sex": "f", "person_commune": "Bobigny", "person_address": "", "person_situation": "school",
            **overrides}


@pytest.fixture
def followed(personas):
    return CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True,
                       person=person_data(last_name="N'Diaye-Lefèvre", first_name="Éloïse", birth_date=BORN, sex="f"))


@pytest.fixture
def coordinator(client, personas):
    client.force_login(personas.coord_a)
    return client


def asked(response) -> str:
    page = response.content.decode()
    assert response.status_code == 200 and "Ce jeune est peut-être déjà suivi" in page
    return page


def checked(page: str) -> str:
    return page.split('name="checked" value="')[1].split('"')[0]


def test_a_new_young_person_is_saved_at_once(coordinator, personas):
    response = coordinator.post(URL, form())
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.pk])
    assert case.source_reference == "CNAPR-2026-0042"
    assert not Event.objects.filter(action="case.duplicate_check").exists()


def test_the_same_girl_twice_is_shown_then_confirmed_as_another_person_once(coordinator, followed):
    page = asked(coordinator.post(URL, form(person_last_name="NDIAYE LEFEVRE", person_first_name="eloise")))
    assert followed.reference in page and "04/03/2010" in page and "Attribué" in page
    assert Case.objects.count() == 1  # nothing saved yet
    assert Event.objects.get(action="case.duplicate_check").details["signalements"] == [followed.reference]
    response = coordinator.post(URL, form(person_last_name="NDIAYE LEFEVRE", person_first_name="eloise",
                                          decision="new", checked=checked(page)))
    assert response.status_code == 302 and Case.objects.count() == 2
    intake = Event.objects.get(action="case.intake", object_id=str(Case.objects.latest("pk").pk))
    assert intake.details["doublons_écartés"] == [followed.reference]


def test_linking_records_the_signalement_on_the_followed_case_and_tells_its_referent(
        coordinator, personas, followed, mailoutbox, django_capture_on_commit_callbacks):
    page = asked(coordinator.post(URL, form(person_last_name="Ndiaye")))
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(URL, form(person_last_name="Ndiaye", decision=str(followed.pk),
                                              checked=checked(page)))
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[followed.pk])
    assert Case.objects.count() == 1
    signalement = CaseSignalement.objects.get()
    assert signalement.case == followed and signalement.source_reference == "CNAPR-2026-0042"
    assert Event.objects.filter(action="case.signalement_add", object_id=str(followed.pk)).exists()
    (mail,) = [m for m in mailoutbox if followed.reference in m.subject]
    assert mail.to == [personas.member_a.email] and "Diaye" not in mail.body + mail.subject
    case_page = coordinator.get(response.url).content.decode()
    assert "Signalements reçus depuis" in case_page and "CNAPR-2026-0042" in case_page
    assert "; son référent est prévenu." in case_page


def test_linking_to_a_case_without_a_referent_says_the_coordinators_are_told(coordinator, personas):
    """Issue 28, point 16: the message says who is told, as ``notify_signalement`` does."""
    received = CaseFactory(coordinator=personas.coord_a, person=person_data(
        last_name="N'Diaye-Lefèvre", first_name="Éloïse", birth_date=BORN, sex="f"))
    page = asked(coordinator.post(URL, form(person_last_name="Ndiaye")))
    response = coordinator.post(URL, form(person_last_name="Ndiaye", decision=str(received.pk),
                                          checked=checked(page)), follow=True)
    text = response.content.decode()
    assert "il n&#x27;a pas de référent : les coordonnateurs de la cellule sont prévenus." in text
    assert "son référent est prévenu" not in text


def test_a_confirmation_holds_only_for_the_identity_it_was_given_on(coordinator, followed):
    first = asked(coordinator.post(URL, form(person_first_name="Eloise")))
    swapped = asked(coordinator.post(URL, form(person_birth_date="2010-04-03", decision="new", checked=checked(first))))
    assert checked(swapped) != checked(first) and Case.objects.count() == 1
    response = coordinator.post(URL, form(person_first_name="ELOÏSE", decision="new", checked=checked(first)))
    assert response.status_code == 302 and Case.objects.count() == 2  # the same identity, written otherwise


def test_no_choice_asks_again_and_a_garbled_choice_is_refused(coordinator, followed):
    page = asked(coordinator.post(URL, form()))
    asked(coordinator.post(URL, form(checked=checked(page))))
    response = coordinator.post(URL, form(decision="autre", checked=checked(page)))
    assert response.status_code == 400 and "Choisissez le signalement" in response.content.decode()
    assert Case.objects.count() == 1 and not CaseSignalement.objects.exists()


def test_another_departement_is_named_with_whom_to_contact_and_nothing_of_its_case(coordinator, personas):
    """Issue 28, point 16: the match named no département to contact; now the département and its cellule's
    coordination (name, function, e-mail), never the case, its commune or its members."""
    elsewhere = CaseFactory(coordinator=personas.coord_b, referent=personas.member_b, person=person_data(
        last_name="N'Diaye-Lefèvre", first_name="Éloïse", birth_date=BORN, commune="Villeurbanne"))
    page = asked(coordinator.post(URL, form()))
    assert "existe dans un autre département" in page and "Rhône (69)" in page
    assert personas.coord_b.get_full_name() in page and f'href="mailto:{personas.coord_b.email}"' in page
    assert elsewhere.reference not in page and "Villeurbanne" not in page and 'value="new"' in page
    assert f'value="{elsewhere.pk}"' not in page and personas.member_b.get_full_name() not in page
    assert Event.objects.get(action="case.duplicate_check").details["ailleurs"] == ["69"]


def test_a_crafted_case_of_another_departement_is_not_found(coordinator, personas, followed):
    other = CaseFactory(coordinator=personas.coord_b)
    page = asked(coordinator.post(URL, form()))
    response = coordinator.post(URL, form(decision=str(other.pk), checked=checked(page)))
    assert response.status_code == 404
    assert not CaseSignalement.objects.exists() and Event.objects.filter(action="access.denied").exists()


def test_a_closed_case_cannot_take_the_signalement(coordinator, personas, followed):
    actions.close(personas.coord_a, followed, reason="completed", note="Fin du suivi.")
    page = asked(coordinator.post(URL, form()))
    assert f'value="{followed.pk}"' not in page and f'value="person-{followed.person_id}"' in page
    response = coordinator.post(URL, form(decision=str(followed.pk), checked=checked(page)))
    assert response.status_code == 400 and "est clôturé" in response.content.decode()
    assert not CaseSignalement.objects.exists()


def test_bad_input_is_refused_in_french_and_nothing_is_saved(coordinator, followed):
    response = coordinator.post(URL, form(person_last_name="", person_birth_date="31/02/2010"))
    page = response.content.decode()
    assert response.status_code == 400 and "Ce champ est obligatoire" in page and "date valide" in page
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    page = asked(coordinator.post(URL, form()))
    response = coordinator.post(URL, form(received_on=future, decision=str(followed.pk), checked=checked(page)))
    assert response.status_code == 400 and "ne peut pas être dans le futur" in response.content.decode()
    assert Case.objects.count() == 1 and not CaseSignalement.objects.exists()


@pytest.mark.parametrize("name", ["member_a", "inspector", "national", "mobile"])
def test_who_cannot_intake_cannot_link(client, personas, followed, name):
    client.force_login(getattr(personas, name))
    assert client.post(URL, form(decision=str(followed.pk), checked="0")).status_code == 403
    assert not CaseSignalement.objects.exists()


def test_a_coordinator_elsewhere_learns_only_the_fact_and_cannot_link(client, personas, followed):
    client.force_login(personas.coord_b)
    page = asked(client.post(URL, form()))
    assert "existe dans un autre département" in page and followed.reference not in page
    assert client.post(URL, form(decision=str(followed.pk), checked=checked(page))).status_code == 404
    assert not CaseSignalement.objects.exists()


def test_the_entry_point_refuses_a_member(personas, followed):
    from organisation.policy import AccessDenied

    with pytest.raises(AccessDenied):
        actions.add_signalement(personas.member_a, followed, source="cnapr", received_on=timezone.localdate(),
                                facts="Nouveau fait.")


@pytest.mark.parametrize("decision", ["new", "followed"])
def test_a_decision_sent_again_asks_again_rather_than_recording_twice(coordinator, followed, decision):
    """The back button, or a replayed request: the case opened, or the signalement added, by the
    first one is now among what the coordinator must look at."""
    page = asked(coordinator.post(URL, form(source_reference="")))
    sent = form(source_reference="", decision=str(followed.pk) if decision == "followed" else "new",
                checked=checked(page))
    assert coordinator.post(URL, sent).status_code == 302
    again = asked(coordinator.post(URL, sent))
    assert (Case.objects.count(), CaseSignalement.objects.count()) == ((2, 0) if decision == "new" else (1, 1))
    assert checked(again) != checked(page)


def test_a_signalement_received_last_year_keeps_that_years_reference(coordinator):
    last_year = datetime.date(timezone.localdate().year - 1, 12, 30)
    this_year = coordinator.post(URL, form(received_on=timezone.localdate().isoformat()))
    earlier = coordinator.post(URL, form(received_on=last_year.isoformat(), person_first_name="Inès",
                                         source_reference="CNAPR-2025-0007"))
    assert this_year.status_code == earlier.status_code == 302
    references = sorted(Case.objects.values_list("reference", flat=True))
    assert references == [f"93-{last_year.year}-0001", f"93-{last_year.year + 1}-0001"]
