"""Working together, in Chromium: the référent orients a young person to the PJJ on a
judge's order; the PJJ's educator, a member of the cellule, finds the case, reads his part of it and
writes back; then the coordinator transfers the case to the Rhône, whose coordinator takes the task
from the queue, accepts it and reads the file that came with it."""

import re

import pytest
from django.utils import timezone

from cases.models import Case, CaseNote
from tests.cases.factories import CaseFactory
from tests.e2e.browser import browser_page
from tests.e2e.test_case_path import CASE_PAGE, choice, log_in, textbox
from tests.organisation.factories import CellFactory, InstitutionFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/connexion/$"))


def test_an_orientation_to_the_pjj_then_a_transfer(live_server):
    seine, rhone = CellFactory(departement__code="93"), CellFactory(departement__code="69")
    coordinator = MembershipFactory(user__username="claire", cell=seine, coordinator=True).user
    referent = MembershipFactory(user__username="sophie", cell=seine).user
    pjj = InstitutionFactory(name="PJJ Seine-Saint-Denis", category="justice", departement=seine.departement)
    MembershipFactory(user__username="thomas", user__first_name="Thomas", cell=seine, institution=pjj)
    MembershipFactory(user__username="julien", cell=rhone, coordinator=True)
    case = CaseFactory(coordinator=coordinator, referent=referent, in_care=True,
                       facts="Propos de rupture rapportés par le collège.")
    url, today = live_server.url, timezone.localdate()

    with browser_page() as page:  # no ORM call while Playwright's event loop runs
        # The référent orients the young person to the PJJ: no adhesion needed, a judge ordered it.
        log_in(page, url, "sophie")
        page.goto(f"{url}/signalements/{case.pk}/")
        page.get_by_role("button", name="Que voulez-vous faire ?").click()  # the actions' menu
        page.get_by_role("link", name="Orienter vers un partenaire (prise en charge)").click()
        choice(page, "Modalité").select_option(label="Scolaire ou éducatif")
        choice(page, "Bénéficiaire").select_option(label="Jeune")
        choice(page, "Institution partenaire").select_option(label="PJJ Seine-Saint-Denis")
        textbox(page, "Début").fill(today.isoformat())
        # A DSFR radio is drawn by its label, which takes the click.
        page.locator("label", has_text="Adhésion non requise (mesure ordonnée ou de protection)").click()
        textbox(page, "Pourquoi l'adhésion n'est pas requise").fill("Mesure ordonnée par le juge des enfants.")
        page.get_by_role("button", name="Enregistrer").click()
        page.wait_for_url(CASE_PAGE)
        log_out(page)

        # The PJJ's educator finds the case in his list and reads his part of it, never the facts.
        log_in(page, url, "thomas")
        page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Signalements").click()
        page.get_by_role("link", name=case.reference).click()
        page.wait_for_url(CASE_PAGE)
        partner_page = page.locator("main").inner_text()
        textbox(page, "Note").fill("Premier entretien éducatif tenu avec la mère.")
        choice(page, "Visible par").select_option(label="Le référent et les coordonnateurs")
        page.get_by_role("button", name="Enregistrer la note").click()
        page.wait_for_url(CASE_PAGE)
        log_out(page)

        # The coordinator transfers the case; the Rhône's coordinator takes the task and accepts.
        log_in(page, url, "claire")
        page.goto(f"{url}/signalements/{case.pk}/")
        page.get_by_role("button", name="Que voulez-vous faire ?").click()
        page.get_by_role("link", name="Transférer à un autre département").click()
        page.locator("#id_destination").select_option(value=str(rhone.departement_id))  # its hint is in its label
        textbox(page, "Motif du transfert").fill("La famille s'installe à Villeurbanne.")
        page.get_by_role("button", name="Enregistrer").click()
        page.wait_for_url(CASE_PAGE)
        log_out(page)
        log_in(page, url, "julien")
        page.goto(f"{url}/taches/file/")
        page.locator("#tasks tbody tr").filter(has_text=case.reference).get_by_role("button", name="Prendre").click()
        page.wait_for_url(f"{url}/taches/")
        page.locator("#tasks tbody tr").filter(has_text=case.reference).get_by_role("link", name="Traiter").click()
        page.get_by_label("Accepter le transfert").check(force=True)
        page.get_by_role("button", name="Enregistrer").click()
        page.wait_for_url(CASE_PAGE)
        received_page = page.locator("main").inner_text()

    assert "Votre prise en charge" in partner_page and "ordonnée par le juge des enfants" in partner_page
    assert "Propos de rupture" not in partner_page
    assert CaseNote.objects.get(text="Premier entretien éducatif tenu avec la mère.").case == case
    received = Case.objects.get(transferred_from=case)
    assert received.departement.code == "69"
    assert f"Avant le transfert : signalement {case.reference}" in received_page
    assert "Premier entretien éducatif tenu avec la mère." in received_page  # the partner's note came along
