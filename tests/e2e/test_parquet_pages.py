"""The parquet's pages in Chromium at a desk's and a phone's width: the warning on the coordinator's home and
the cellule's page, the case page's menu and timeline with an information of the procureur, its form and the
report that counts it; axe-core finds no serious violation and nothing scrolls sideways."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import actions
from tests.cases.factories import CaseFactory
from tests.conftest import build_personas
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_parquets_pages_are_accessible_at_a_desks_and_a_phones_width(live_server, width):
    people = build_personas()
    case = CaseFactory(coordinator=people.coord_a, referent=people.member_a, in_care=True)
    actions.inform_prosecutor(people.coord_a, case, on=timezone.localdate() - datetime.timedelta(days=1),
                              means="email", shared="Situation suivie ; mesure éducative judiciaire en cours.")
    urls = [reverse("home"), reverse("cell_detail", args=["93"]), reverse("cases:detail", args=[case.pk]),
            reverse("cases:action", args=[case.pk, "information-procureur"]),
            reverse("reports:detail", args=[f"{timezone.localdate():%Y-%m}"])]
    cookies = session_cookie(people.coord_a, live_server.url)
    found, widths, texts = {}, {}, {}

    with browser_page(viewport={"width": width, "height": 900}) as page:
        page.context.add_cookies(cookies)
        for url in urls:
            assert page.goto(live_server.url + url).status == 200, url
            if violations := blocking_violations(page):
                found[url] = violations
            widths[url] = page.evaluate("document.documentElement.scrollWidth")
            texts[url] = page.locator("main").inner_text()
        page.goto(live_server.url + urls[2])
        page.get_by_role("button", name="Que voulez-vous faire ?").click()
        page.get_by_role("link", name="Informer le procureur").click()
        page.wait_for_url(f"**{urls[3]}")

    assert found == {}
    assert all(scrolled <= width for scrolled in widths.values()), widths
    for url in urls[:2]:
        assert "Aucun membre de la cellule ne représente le parquet" in texts[url]
    assert "Informations du procureur dans le mois" in texts[urls[4]]
