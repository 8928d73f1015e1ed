"""The case page in Chromium (issue 27, point 1): the young person on the first screen at a phone's width,
the file in tabs that the keyboard moves through, a link to a section opening its tab, and axe-core finding
no serious or critical violation at 1280 and 375 px, the menu of actions open or closed."""

import pytest
from django.urls import reverse

from tests.conftest import build_personas
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations, session_cookie
from tests.project.test_audit_coverage import build_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_case_page_starts_with_the_person_and_its_tabs_follow_the_keyboard(live_server):
    people = build_personas()
    case = build_context(people).case  # in care, with a plan, a measure, the mobile team's request
    url = live_server.url + reverse("cases:detail", args=[case.pk])
    cookies = session_cookie(people.coord_a, live_server.url)
    name = str(case.person)
    found, first_screen = {}, {}

    for width, height in ((1280, 900), (375, 740)):
        with browser_page(viewport={"width": width, "height": height}) as page:
            page.context.add_cookies(cookies)
            page.goto(url, wait_until="networkidle")
            summary = page.locator("#summary-title")
            assert name in summary.text_content()
            first_screen[width] = summary.bounding_box()["y"] + summary.bounding_box()["height"] <= height
            if violations := blocking_violations(page):
                found[f"{width}px"] = violations
            page.get_by_role("button", name="Que voulez-vous faire ?").click()
            page.locator("#case-actions-menu").wait_for(state="visible")
            if violations := blocking_violations(page):
                found[f"{width}px, menu ouvert"] = violations

            # The tabs by keyboard: the selected tab takes the focus, the arrow moves to the next one.
            situation = page.get_by_role("tab", name="Situation")
            situation.focus()
            page.keyboard.press("ArrowRight")
            accompaniment = page.get_by_role("tab", name="Accompagnement")
            assert accompaniment.get_attribute("aria-selected") == "true"
            page.locator("#onglet-accompagnement-panneau").wait_for(state="visible")
            page.locator("#onglet-situation-panneau").wait_for(state="hidden")
            page.keyboard.press("End")
            assert page.get_by_role("tab", name="Chronologie").get_attribute("aria-selected") == "true"

            # A link to a section (the start of care's task page) opens the tab that holds it: followed from
            # the page itself, then on a page loaded with it.
            page.goto(url + "#prises-en-charge", wait_until="networkidle")
            page.locator("#onglet-accompagnement[aria-selected='true']").wait_for()
            page.locator("#prises-en-charge").wait_for(state="visible")
            situation.click()
            page.reload(wait_until="networkidle")
            page.locator("#onglet-accompagnement[aria-selected='true']").wait_for()
            page.locator("#prises-en-charge").wait_for(state="visible")

    assert found == {}
    assert first_screen == {1280: True, 375: True}
