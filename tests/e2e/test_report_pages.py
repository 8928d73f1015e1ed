"""The monthly report's pages in Chromium (issue 28, points 5 and 12): sending without the confirmation
opens the page on the error summary, the texts typed still in their fields; axe-core finds no serious or
critical violation at a desktop's and a phone's width on the report's pages in each state (the refusal
included) and on the national view, whose tables, scrolled sideways on a phone, take the focus."""

import os

import pytest
from django.urls import reverse

from reporting import actions as reports
from reporting.periods import last_ended, this_month
from tests.conftest import build_personas
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [(1280, 900), (375, 740)]
TYPED = "Deux familles rencontrées ; une orientation vers la mission locale."


def reports_in_each_state(people) -> dict[str, str]:
    """The months of a sent report, a validated one and the current draft: {state: month}."""
    validated, sent = last_ended(), last_ended().previous()
    report = reports.edit(people.coord_a, reports.current(people.coord_a, people.cell_a, sent), results="Envoyé.",
                          difficulties="Aucune.")
    reports.delivered(reports.send(people.coord_a, reports.validate(people.coord_a, report)).pk, accepted=True)
    report = reports.current(people.coord_a, people.cell_a, validated)
    reports.validate(people.coord_a, reports.edit(people.coord_a, report, results="Validé.", difficulties=""))
    return {"sent": str(sent), "validated": str(validated), "draft": str(this_month())}


def test_sending_unconfirmed_opens_on_the_error_summary_with_the_texts_kept(live_server):
    people = build_personas()
    month = reports_in_each_state(people)["validated"]
    cookies = session_cookie(people.coord_a, live_server.url)

    with browser_page(viewport={"width": 375, "height": 740}) as page:
        page.context.add_cookies(cookies)
        page.goto(live_server.url + reverse("reports:detail", args=[month]))
        page.fill("#id_results", TYPED)
        page.get_by_role("button", name="Envoyer au ministère").click()
        page.wait_for_selector("[data-error-summary]")
        focused = page.evaluate("document.activeElement.matches('[data-error-summary]')")
        in_view = page.evaluate("document.activeElement.getBoundingClientRect().top < innerHeight")
        summary = page.locator("[data-error-summary]").inner_text()
        kept = page.input_value("#id_results")
        violations = blocking_violations(page)
        page.locator("[data-error-summary] a").first.click()
        target = page.evaluate("document.activeElement.id")

    assert focused and in_view
    assert "Cochez la case pour confirmer l'envoi au ministère" in summary
    assert kept == TYPED
    assert violations == []
    assert target == "id_confirm_send"


def test_axe_finds_no_serious_violation_on_the_report_pages_and_the_national_view(live_server):
    people = build_personas()
    months = reports_in_each_state(people)
    pages = {
        "coord_a": [reverse("reports:list")] + [reverse("reports:detail", args=[m]) for m in months.values()],
        "national": [reverse("national:view"), f"{reverse('national:view')}?mois={months['sent']}"],
    }
    cookies = {who: session_cookie(getattr(people, who), live_server.url) for who in pages}
    found, answered = {}, set()
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
    assert found == {}
    assert answered == {(200, True)}


def test_the_national_views_steering_tables_opened_read_at_both_widths(live_server):
    """Every accordion of the national view opened (the steering tables, the median delays, the difficulties
    by category, the charts' tables): no serious axe violation, nothing but the tables scrolls sideways."""
    people = build_personas()
    month = last_ended().previous()
    report = reports.edit(people.coord_a, reports.current(people.coord_a, people.cell_a, month), results="",
                          difficulties="Peu de places.", categories=["partners", "mobile_team"])
    reports.delivered(reports.send(people.coord_a, reports.validate(people.coord_a, report)).pk, accepted=True)
    cookies = session_cookie(people.national, live_server.url)
    shots = os.environ.get("SCREENSHOTS")
    found, wide = {}, {}
    for width, height in WIDTHS:
        with browser_page(viewport={"width": width, "height": height}) as page:
            page.context.add_cookies(cookies)
            page.goto(f"{live_server.url}{reverse('national:view')}?mois={month}")
            for button in page.locator(".fr-accordion__btn").all():
                button.click()
            page.wait_for_selector("#table-difficulties.fr-collapse--expanded")
            if violations := blocking_violations(page):
                found[width] = violations
            wide[width] = page.evaluate("document.documentElement.scrollWidth")
            if shots:
                page.screenshot(path=f"{shots}/national-{width}.png", full_page=True)
    assert found == {}
    assert wide == {1280: 1280, 375: 375}
