"""A signalement's first steps, in Chromium: a coordinator registers it, then a member of the
same cellule designated to contact families takes the family-contact task from the team's queue
and records that the family was reached; the case moves from « Reçu » to « Famille contactée »."""

import re

import pytest
from django.utils import timezone

from audit.models import Event
from cases.models import Case, State
from tests.conftest import PASSWORD
from tests.e2e.browser import browser_page
from tests.organisation.factories import CellFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CASE_PAGE = re.compile(r"/signalements/\d+/(\?tache-suivante=1)?$")  # after an action: the next task offered


# Labels carry django-dsfr's marks (hidden or "facultatif" hints): get_by_role matches the field's
# accessible name exactly, which get_by_label with exact=True would not.
def textbox(page, name):
    return page.get_by_role("textbox", name=name, exact=True)


def choice(page, name):
    return page.get_by_role("combobox", name=name, exact=True)


def log_in(page, url, username):
    page.goto(f"{url}/connexion/")
    page.get_by_label("Identifiant", exact=True).fill(username)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{url}/")


def test_a_case_is_registered_then_its_family_contacted(live_server):
    cell = CellFactory(departement__code="93")
    coordinator = MembershipFactory(user__username="claire", cell=cell, coordinator=True).user
    contact = MembershipFactory(user__username="samir", cell=cell, contacts_families=True).user
    today = timezone.localdate()
    reference = f"93-{today.year}-0001"
    url = live_server.url

    # No ORM call while Playwright's event loop runs: Django refuses sync queries inside it.
    with browser_page() as page:
        # The coordinator registers the signalement.
        log_in(page, url, "claire")
        page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Signalements").click()
        page.wait_for_url(f"{url}/signalements/")
        page.get_by_role("link", name="Nouveau signalement").click()
        choice(page, "Origine").select_option(label="CNAPR (numéro vert)")
        textbox(page, "Reçu le").fill(today.isoformat())
        textbox(page, "Faits signalés (factuels)").fill("Propos inquiétants rapportés par le collège.")
        textbox(page, "Nom").fill("Durand")
        textbox(page, "Prénom").fill("Lucas")
        textbox(page, "Date de naissance").fill("2010-03-04")
        choice(page, "Sexe").select_option(label="Masculin")
        textbox(page, "Commune de résidence").fill("Bobigny")
        choice(page, "Proche 1 — Lien").select_option(label="Mère")
        textbox(page, "Proche 1 — Nom").fill("Durand")
        textbox(page, "Proche 1 — Prénom").fill("Marie")
        textbox(page, "Proche 1 — Téléphone").fill("06 12 34 56 78")
        page.get_by_role("button", name="Enregistrer le signalement").click()
        page.wait_for_url(CASE_PAGE)
        intake_heading = page.get_by_role("heading", level=1).inner_text()
        # text_content, not inner_text: the DSFR badge is shown in capitals by CSS.
        intake_state = page.locator("#case-state").text_content()
        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_url(re.compile(r"/connexion/$"))

        # The designated member takes the task from the team's queue and records the contact.
        log_in(page, url, "samir")
        page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Tâches").click()
        page.wait_for_url(f"{url}/taches/")
        page.get_by_role("link", name="File de mon équipe").click()
        page.wait_for_url(f"{url}/taches/file/")
        row = page.locator("#tasks tbody tr").filter(has_text=reference).filter(has_text="Contacter la famille")
        row.get_by_role("button", name="Prendre").click()
        page.wait_for_url(f"{url}/taches/")
        page.locator("#tasks tbody tr").filter(has_text=reference).get_by_role("link", name="Traiter").click()
        page.wait_for_url(re.compile(r"/signalements/\d+/contact/$"))
        textbox(page, "Date").fill(today.isoformat())
        choice(page, "Moyen").select_option(label="Téléphone")
        choice(page, "Résultat").select_option(label="Famille jointe")
        page.get_by_role("button", name="Enregistrer", exact=True).click()
        page.wait_for_url(CASE_PAGE)
        contact_state = page.locator("#case-state").text_content()

    assert intake_heading.startswith(f"Signalement {reference}")
    assert intake_state == "Reçu"
    assert contact_state == "Famille contactée"
    case = Case.objects.get(reference=reference)
    assert case.state == State.FAMILY_CONTACTED
    assert case.person.last_name == "Durand" and case.relatives.get().first_name == "Marie"
    assert Event.objects.filter(action="case.intake", actor=coordinator).count() == 1
    assert Event.objects.filter(action="task.claim", actor=contact).count() == 1
    assert Event.objects.filter(action="case.contact_family", actor=contact).count() == 1
