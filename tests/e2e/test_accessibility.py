"""The product in Chromium as assistive technologies and phones meet it: axe-core finds no
serious or critical violation on the main pages of every role and on the pages open without a session;
a form's error summary takes the focus; at 375 px the main lists are cards, with nothing to scroll sideways.

axe-core's script comes with the axe-playwright-python package and is evaluated through Playwright's
channel, which the page's security policy does not govern (the policy still runs no inline script)."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from cases.actions import refuse_transfer
from tests.cases.factories import CaseFactory
from tests.conftest import build_personas
from tests.e2e.browser import browser_page
from tests.project.test_audit_coverage import build_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Each role's home page and its main list.
MAIN_PAGES = {
    "coord_a": ["home", "cases:list", "workflows:queue"],
    "coord_b": ["workflows:done"],  # with a transfer refused: a task that names nothing of the case
    "member_a": ["home", "workflows:inbox", "sessions"],
    "mobile": ["home", "mobile_team:queue"],
    "inspector": ["home", "inspection:search", "inspection:integrity"],
    "national": ["home", "national:view", "national_roles", "account_recoveries"],
    "admin": ["home", "admin:index", "account_recoveries"],
    None: ["login", "legal:sitemap", "legal:accessibility", "legal:notice", "legal:personal_data", "legal:cookies"],
}
BLOCKING = {"serious", "critical"}


def session_cookie(user, url: str) -> list[dict]:
    """The cookie of a session opened for ``user``, for the browser: no password typed for each role."""
    client = Client()
    client.force_login(user)
    return [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
             "url": url}]


def blocking_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {', '.join(t for n in v['nodes'] for t in n['target'])}"
            for v in violations if v["impact"] in BLOCKING]


def test_axe_finds_no_serious_violation_on_the_main_page_of_each_role(live_server):
    people = build_personas()
    context = build_context(people)
    refuse_transfer(people.coord_b, context.transfer, reason="Pas de domicile ici.")
    cookies = {name: session_cookie(getattr(people, name), live_server.url) for name in MAIN_PAGES if name}
    found, answered = {}, {}

    # No ORM call while Playwright's event loop runs: Django refuses sync queries inside it.
    with browser_page() as page:
        for name, pages in MAIN_PAGES.items():
            page.context.clear_cookies()
            if name:
                page.context.add_cookies(cookies[name])
            for view in pages:
                response = page.goto(live_server.url + reverse(view))
                answered[f"{name} {view}"] = (response.status, page.url == live_server.url + reverse(view))
                if violations := blocking_violations(page):
                    found[f"{name} {view}"] = violations

    assert found == {}
    assert set(answered.values()) == {(200, True)}  # each page itself, none sent to the login page


def test_the_error_summary_takes_the_focus(live_server):
    people = build_personas()
    case = CaseFactory(coordinator=people.coord_a)
    cookies = session_cookie(people.coord_a, live_server.url)

    with browser_page() as page:
        page.context.add_cookies(cookies)
        page.goto(live_server.url + reverse("cases:action", args=[case.pk, "contact"]))
        page.get_by_role("button", name="Enregistrer", exact=True).click()
        page.wait_for_selector("[data-error-summary]")
        focused = page.evaluate("document.activeElement.matches('[data-error-summary]')")
        summary = page.locator("[data-error-summary]").inner_text()
        page.locator("[data-error-summary] a").first.click()
        target = page.evaluate("location.hash")

    assert focused
    assert "Le formulaire contient des erreurs" in summary
    assert target.startswith("#id_")


def test_at_a_phones_width_the_main_lists_are_cards(live_server):
    people = build_personas()
    build_context(people)
    cookies = session_cookie(people.coord_a, live_server.url)
    measured = {}

    with browser_page(viewport={"width": 375, "height": 740}) as page:
        page.context.add_cookies(cookies)
        for view in ("cases:list", "workflows:queue", "sessions"):
            page.goto(live_server.url + reverse(view))
            measured[view] = page.evaluate("""() => {
                const table = document.querySelector(".fr-table--no-caption > table");
                const row = table.querySelector("tbody tr");
                return {page: document.documentElement.scrollWidth, table: table.scrollWidth - table.clientWidth,
                        row: getComputedStyle(row).display, cells: row.cells.length,
                        header: table.querySelector("thead").getBoundingClientRect().height <= 1};
            }""")

    for view, found in measured.items():
        assert found["page"] <= 375, view  # nothing to scroll sideways, on the page
        assert found["table"] == 0, view  # nor in the list
        assert found["row"] == "block" and found["cells"] > 1 and found["header"], view


def test_at_a_phones_width_the_menu_shows_who_is_signed_in_whole(live_server):
    """The header's tools are copied into the menu by the DSFR: the name and role wrap there, not cut."""
    people = build_personas()
    cookies = session_cookie(people.coord_a, live_server.url)

    with browser_page(viewport={"width": 375, "height": 740}) as page:
        page.context.add_cookies(cookies)
        page.goto(live_server.url + reverse("home"))
        page.locator("button[aria-controls='fr-menu-mobile']").first.click()
        label = page.locator("#fr-menu-mobile .current-user")
        label.wait_for()
        measured = label.evaluate(
            "e => ({text: e.scrollWidth - e.clientWidth, right: e.getBoundingClientRect().right})")
        shown = label.inner_text()

    assert measured["text"] <= 0 and measured["right"] <= 375
    assert people.coord_a.get_full_name() in shown
