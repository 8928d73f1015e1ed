"""The pages issue 28 changed for minimisation (points 9 and 10), in Chromium at 1280 and 375 px: the mobile
team's request refuses a summary naming the family with its error summary in focus, offers its contact
once, and the care measure's partners are the département's; axe finds no serious violation on them."""

import pytest
from django.urls import reverse

from tests.cases.factories import CaseFactory, person_data
from tests.conftest import build_personas
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations, session_cookie
from tests.organisation.factories import InstitutionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_request_and_the_measure_forms_in_the_browser(live_server, width):
    people = build_personas()
    case = CaseFactory(coordinator=people.coord_a, referent=people.coord_a, in_care=True,
                       person=person_data(first_name="Yasmine", last_name="Benali", sex="f"))
    InstitutionFactory(name="Inspection générale de l'administration")
    cookies = session_cookie(people.coord_a, live_server.url)
    request_url = live_server.url + reverse("cases:action", args=[case.pk, "equipe-mobile"])
    measure_url = live_server.url + reverse("cases:action", args=[case.pk, "mesure"])
    found = {}

    with browser_page(viewport={"width": width, "height": 800}) as page:  # no ORM call in Playwright's loop
        page.context.add_cookies(cookies)
        page.goto(request_url)
        found["request form"] = blocking_violations(page)
        contacts = page.locator("select[name=contact] option").all_inner_texts()
        page.get_by_label("Motif (factuel)").fill("Regard clinique.")
        page.get_by_label("Aide attendue").select_option("individual_care")
        page.locator("textarea[name=summary]").fill("Yasmine Benali, isolée depuis la rentrée.")
        page.get_by_role("button", name="Enregistrer", exact=True).click()
        page.wait_for_selector("[data-error-summary]")
        focused = page.evaluate("document.activeElement.matches('[data-error-summary]')")
        summary = page.locator("[data-error-summary]").inner_text()
        found["refused request"] = blocking_violations(page)
        widths = {"request": page.evaluate("document.documentElement.scrollWidth")}
        page.goto(measure_url)
        found["measure form"] = blocking_violations(page)
        partners = page.locator("select[name=institution] option").all_inner_texts()
        widths["measure"] = page.evaluate("document.documentElement.scrollWidth")

    assert found == {"request form": [], "refused request": [], "measure form": []}
    assert [c.strip() for c in contacts] == [f"{people.coord_a.get_full_name()} (vous) — Chargé de mission"]
    assert focused and "« Benali »" in summary
    assert "Association Sauvegarde 93" in partners and "Inspection générale de l'administration" not in partners
    assert max(widths.values()) <= width
