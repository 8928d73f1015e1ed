"""The page that exports a case's file as a PDF, in Chromium at a desktop's and a phone's width: axe-core
finds no serious or critical violation on it, nor on the case page that offers it."""

import pytest
from django.urls import reverse

from tests.cases.factories import CaseFactory
from tests.conftest import build_personas
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [(1280, 900), (375, 740)]


def test_axe_finds_no_serious_violation_on_the_export_page(live_server):
    people = build_personas()
    case = CaseFactory(coordinator=people.coord_a, referent=people.member_a, in_care=True)
    cookies = session_cookie(people.coord_a, live_server.url)
    found, answered = {}, set()
    for width, height in WIDTHS:
        with browser_page(viewport={"width": width, "height": height}) as page:
            page.context.add_cookies(cookies)
            for url in (reverse("cases:detail", args=[case.pk]), reverse("cases:export", args=[case.pk])):
                response = page.goto(live_server.url + url)
                answered.add((response.status, page.url == live_server.url + url))
                if violations := blocking_violations(page):
                    found[f"{url} {width}px"] = violations
    assert found == {}
    assert answered == {(200, True)}
