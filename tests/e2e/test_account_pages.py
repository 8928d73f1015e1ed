"""The technical administrator's account pages in Chromium, at a desktop's and a phone's width:
axe-core finds no serious or critical violation on the list, the creation form (empty, then sent
with its errors), an account's page (with a pending recovery and its roles) and its change form.
``SCREENSHOTS=<directory>`` keeps a full-page capture of each, to look at."""

import os

import pytest

from organisation import accounts
from organisation.second_factor import enrol, new_secret
from tests.conftest import build_personas
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [(1280, 900), (375, 740)]


def test_axe_finds_no_serious_violation_on_the_account_pages(live_server):
    people = build_personas()
    enrol(people.coord_a, new_secret(), 1)
    accounts.request_recovery(people.admin, people.member_a, kind="second_factor", reason="Téléphone perdu.")
    member = people.member_a.pk
    pages = {"liste": "/comptes/", "creation": "/comptes/nouveau/", "compte": f"/comptes/{member}/",
             "modification": f"/comptes/{member}/modifier/"}
    cookie = session_cookie(people.admin, live_server.url)
    shots = os.environ.get("SCREENSHOTS")
    found, answered = {}, set()
    # No ORM call while Playwright's event loop runs: Django refuses sync queries inside it.
    for width, height in WIDTHS:
        with browser_page(viewport={"width": width, "height": height}) as page:
            page.context.add_cookies(cookie)
            for name, url in pages.items():
                response = page.goto(live_server.url + url)
                answered.add((response.status, page.url == live_server.url + url))
                if violations := blocking_violations(page):
                    found[f"{url} {width}px"] = violations
                if shots:
                    page.screenshot(path=f"{shots}/{name}-{width}.png", full_page=True)
            page.goto(live_server.url + pages["creation"])
            page.fill("#id_email", "pas-une-adresse")
            page.click("button[type=submit]:has-text('Créer le compte')")
            page.wait_for_load_state()
            assert page.locator(".fr-error-text").count() >= 3  # the names, the address, the identifier
            assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")  # focus on the summary
            if violations := blocking_violations(page):
                found[f"creation en erreur {width}px"] = violations
            if shots:
                page.screenshot(path=f"{shots}/creation-erreurs-{width}.png", full_page=True)
    assert found == {}
    assert answered == {(200, True)}
