"""The lists' new parts in Chromium, at a desktop's and a phone's width: axe-core finds no serious or
critical violation on the home page's « À traiter » counters, the task lists with their saved views and
their form for the ticked tasks (the coordinator's, who may give them), the case list with its views, and
the search's results."""

import os

import pytest
from django.urls import reverse

from tests.cases.factories import CaseFactory
from tests.conftest import build_personas
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations, session_cookie
from workflows import saved_views, tasks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [(1280, 900), (375, 740)]
SHOTS = os.environ.get("SCREENSHOTS", "")  # a directory to keep each page's picture in, to look at them


def test_axe_finds_no_serious_violation_on_the_lists_pages(live_server):
    people = build_personas()
    for _ in range(2):
        CaseFactory(coordinator=people.coord_a)
    CaseFactory(coordinator=people.coord_a, referent=people.member_a, in_care=True)
    tasks.claim(people.coord_a, CaseFactory(coordinator=people.coord_a, family_contacted=True).tasks.get(
        flow_task_name="name_referent"))
    view = saved_views.save_view(people.coord_a, "tasks-queue", "Contacts", "type=contact_family", shared=True)
    saved_views.save_view(people.coord_a, "tasks-mine", "Revues", "type=review", default_for="member")
    pages = {
        "coord_a": [reverse("home"), reverse("workflows:queue"), f"{reverse('workflows:queue')}?vue={view.pk}",
                    reverse("workflows:inbox"), reverse("workflows:cellule"), reverse("cases:list"),
                    f"{reverse('search')}?q=durand"],
        "member_a": [reverse("home"), reverse("workflows:inbox"), f"{reverse('search')}?q=durand"],
    }
    cookies = {who: session_cookie(getattr(people, who), live_server.url) for who in pages}
    found, answered = {}, set()
    for width, height in WIDTHS:
        with browser_page(viewport={"width": width, "height": height}) as page:
            for who, urls in pages.items():
                page.context.clear_cookies()
                page.context.add_cookies(cookies[who])
                for number, url in enumerate(urls):
                    response = page.goto(live_server.url + url)
                    answered.add((response.status, page.url == live_server.url + url))
                    if SHOTS:
                        page.screenshot(path=f"{SHOTS}/{who}-{number}-{width}.png", full_page=True)
                    if violations := blocking_violations(page):
                        found[f"{who} {url} {width}px"] = violations
    assert found == {}
    assert answered == {(200, True)}
