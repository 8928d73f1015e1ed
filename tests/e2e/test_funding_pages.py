"""The FIPD's pages in Chromium (issue 29, point 2): at 1280 and 375 px axe-core finds no serious or critical
violation on the coordinator's list, entry form (with its errors) and edit page, and on the national view; at a
phone's width nothing scrolls sideways and the tables are cards."""

import pytest
from django.urls import reverse
from django.utils import timezone

from funding import actions as funding
from tests.conftest import build_personas
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations, session_cookie
from tests.organisation.factories import InstitutionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = (1280, 375)
SHOTS = "/tmp/fipd-{name}-{width}.png"  # noqa: S108 (screenshots for whoever reads the run)


def test_the_fipd_pages_pass_axe_and_fit_a_phone(live_server):
    people = build_personas()
    association = InstitutionFactory(name="Association Sauvegarde 93", category="association",
                                     departement=people.cell_a.departement)
    action = funding.create_funded_action(
        people.coord_a, people.cell_a, title="Accompagnement des familles et groupe de parole des parents",
        institution=association, year=timezone.localdate().year, amount_requested=18_000, amount_granted=15_000,
        young_people=12, families=2, status="under_way")
    pages = {"coord_a": {"list": reverse("funding:list"), "create": reverse("funding:create"),
                         "edit": reverse("funding:edit", args=[action.pk])},
             "national": {"national": reverse("funding:national")}}
    cookies = {name: session_cookie(getattr(people, name), live_server.url) for name in pages}
    found, measured = {}, {}

    for width in WIDTHS:
        with browser_page(viewport={"width": width, "height": 900}) as page:
            for person, urls in pages.items():
                page.context.clear_cookies()
                page.context.add_cookies(cookies[person])
                for name, url in urls.items():
                    assert page.goto(live_server.url + url).status == 200, (name, width)
                    if name == "create":  # the form sent with a granted amount above the request
                        page.fill("#id_title", "Formation des professionnels")
                        page.fill("#id_amount_requested", "4000")
                        page.fill("#id_amount_granted", "5000")
                        page.select_option("#id_status", "granted")
                        page.click("form:has(#id_title) button[type=submit]")
                        page.wait_for_load_state()
                        assert "ne peut dépasser" in page.content()
                    if violations := blocking_violations(page):
                        found[f"{name} {width}"] = violations
                    measured[f"{name} {width}"] = page.evaluate("() => document.documentElement.scrollWidth")
                    page.screenshot(path=SHOTS.format(name=name, width=width), full_page=True)

    assert found == {}
    assert all(scroll <= width for key, scroll in measured.items() for width in [int(key.split()[1])])

