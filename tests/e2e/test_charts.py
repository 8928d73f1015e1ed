"""The charts of the coordinator's dashboard and of the national view in Chromium, at a desktop's and a
phone's width: @gouvfr/dsfr-chart draws them under the Content Security Policy (no violation reported),
their tables open from their accordions, and axe-core finds no serious or critical violation."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting.figures import Month, compute
from reporting.models import MonthlyReport
from tests.cases.factories import CaseFactory
from tests.conftest import build_personas
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [(1280, 900), (375, 740)]


# The dashboard's intake, delays and closures; the national view's follow-up, intake and closures, then its
# steering figures over time: meetings held, orientations, median delays (reporting/trends.py).
CHARTS = {"coord_a": 3, "national": 6}


def test_the_charts_are_drawn_under_the_csp_with_their_tables(live_server):
    people = build_personas()
    for days in (3, 40, 70):
        CaseFactory(coordinator=people.coord_a, referent=people.member_a, in_care=True,
                    received_on=timezone.localdate() - datetime.timedelta(days=days))
    month = Month(timezone.localdate().replace(day=1)).previous()
    for cell, young in ((people.cell_a, 12), (people.cell_b, 2)):
        MonthlyReport.objects.create(cell=cell, month=month.first, status=MonthlyReport.Status.SENT,
                                     figures={**compute(cell, month), "young_people_followed": young})
    pages = {"coord_a": reverse("reports:dashboard"), "national": reverse("national:view")}
    cookies = {who: session_cookie(getattr(people, who), live_server.url) for who in pages}
    found, answered, refused = {}, set(), []
    for width, height in WIDTHS:
        with browser_page(viewport={"width": width, "height": height}) as page:
            page.on("console", lambda message: "Content Security Policy" in message.text
                    and refused.append(message.text))
            for who, url in pages.items():
                page.context.clear_cookies()
                page.context.add_cookies(cookies[who])
                response = page.goto(live_server.url + url)
                answered.add(response.status)
                page.wait_for_selector("figure.chart canvas", state="attached")
                charts = page.locator("figure.chart")
                assert page.locator("figure.chart canvas").count() == charts.count() == CHARTS[who]
                page.locator("figure.chart .fr-accordion__btn").first.click()
                page.locator("figure.chart table").first.wait_for(state="visible")  # fails if it stays hidden
                if violations := blocking_violations(page):
                    found[f"{who} {url} {width}px"] = violations
    assert found == {}
    assert answered == {200}
    assert refused == []
