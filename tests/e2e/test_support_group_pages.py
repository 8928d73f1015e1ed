"""The support groups' pages in Chromium (issue 29, point 5), at a desktop's and a phone's width: axe-core
finds no serious or critical violation on the list with its creation form and on a group's page, as the
coordinator and as the association's facilitator, nor once a session is sent with a count of parents out of
bounds; nothing scrolls sideways at 375 px. ``SCREENSHOTS=<directory>`` keeps a full-page capture of each."""

import os

import pytest
from django.urls import reverse
from django.utils import timezone

from cellule import actions as cellule
from tests.cases.factories import CaseFactory
from tests.conftest import build_personas
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations, session_cookie
from tests.organisation.factories import InstitutionFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [(1280, 900), (375, 740)]


def test_axe_finds_no_serious_violation_on_the_support_group_pages(live_server):
    people = build_personas()
    association = InstitutionFactory(name="Association Parents en lien", category="association", partner=True)
    facilitator = MembershipFactory(cell=people.cell_a, institution=association, user__username="animation")
    case = CaseFactory(coordinator=people.coord_a, referent=facilitator.user, assigned=True)
    group = cellule.create_support_group(people.coord_a, people.cell_a, name="Parents du mardi",
                                         institution=association, facilitator=facilitator)
    prefecture = cellule.create_support_group(people.coord_a, people.cell_a, name="Groupe de la préfecture",
                                              run_by="prefecture")
    cellule.record_support_session(people.coord_a, prefecture, on=timezone.localdate(), families=[case],
                                   other_parents=4)
    pages = {"coord_a": [reverse("support_groups:list"), reverse("support_groups:detail", args=[prefecture.pk])],
             "animation": [reverse("support_groups:list"), reverse("support_groups:detail", args=[group.pk])]}
    cookies = {"coord_a": session_cookie(people.coord_a, live_server.url),
               "animation": session_cookie(facilitator.user, live_server.url)}
    shots = os.environ.get("SCREENSHOTS")
    found, answered, wide = {}, set(), {}
    # No ORM call while Playwright's event loop runs: Django refuses sync queries inside it.
    for width, height in WIDTHS:
        with browser_page(viewport={"width": width, "height": height}) as page:
            for who, urls in pages.items():
                page.context.clear_cookies()
                page.context.add_cookies(cookies[who])
                for url in urls:
                    response = page.goto(live_server.url + url)
                    answered.add((response.status, page.url == live_server.url + url))
                    if violations := blocking_violations(page):
                        found[f"{who} {url} {width}px"] = violations
                    if (scrolled := page.evaluate("document.documentElement.scrollWidth")) > width:
                        wide[f"{who} {url}"] = scrolled
                    if shots:
                        page.screenshot(path=f"{shots}/{who}-{url.strip('/').replace('/', '-')}-{width}.png",
                                        full_page=True)
                page.fill("#id_other_parents", "500")
                page.click("button[name=add_session]")
                page.wait_for_load_state()
                assert "Indiquez un nombre de parents de 0 à 100." in page.inner_text("main")
                assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
                if violations := blocking_violations(page):
                    found[f"{who} séance en erreur {width}px"] = violations
                if shots:
                    page.screenshot(path=f"{shots}/{who}-erreur-{width}.png", full_page=True)
    assert found == {} and wide == {}
    assert answered == {(200, True)}
