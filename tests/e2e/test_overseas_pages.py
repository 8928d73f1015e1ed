"""The pages that say who represents the State overseas and on which clock (issue 29, point 3), in
Chromium at 1280 and 375 px: axe finds no serious or critical violation, and nothing scrolls sideways."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cellule import actions as cellule
from organisation.models import Cell, Departement
from reporting.figures import Month
from tests.cases.factories import CaseFactory
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations, session_cookie
from tests.organisation.factories import InstitutionFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_caledonias_pages_at_a_desks_and_a_phones_width(live_server):
    territory = Departement.objects.get(code="988")
    cell = Cell.objects.create(departement=territory, chair_function="prefet", meeting_periodicity="monthly",
                               installed_on=datetime.date(2026, 1, 5))
    hc = InstitutionFactory(name="Haut-commissariat de la République en Nouvelle-Calédonie", departement=territory)
    coordinator = MembershipFactory(cell=cell, coordinator=True, institution=hc, user__username="coord988").user
    with timezone.override(territory.zone):
        case = CaseFactory(coordinator=coordinator)
        cellule.record_interview_request(coordinator, case, with_whom="prefet", requested_by="Mère",
                                         channel="letter", requested_on=case.received_on)
        month = Month.of(timezone.localdate())
    cookies = session_cookie(coordinator, live_server.url)
    urls = [reverse("cell_detail", args=["988"]), reverse("reports:detail", args=[str(month)]),
            reverse("cases:detail", args=[case.pk])]
    found, wide, said = {}, {}, []
    for width in (1280, 375):
        with browser_page(viewport={"width": width, "height": 900}) as page:
            page.context.add_cookies(cookies)
            for url in urls:
                assert page.goto(live_server.url + url).status == 200, url
                said.append(" ".join(page.text_content("main").split()))  # the hidden tabs too
                if violations := blocking_violations(page):
                    found[f"{width} {url}"] = violations
                if (scrolled := page.evaluate("document.documentElement.scrollWidth")) > width:
                    wide[f"{width} {url}"] = scrolled
    assert found == {} and wide == {}
    assert "Haut-commissaire de la République en Nouvelle-Calédonie" in said[0] and "Pacific/Noumea" in said[0]
    assert "Haut-commissaire de la République en Nouvelle-Calédonie" in said[1]
    assert "avec le haut-commissaire de la République en Nouvelle-Calédonie" in said[2]
