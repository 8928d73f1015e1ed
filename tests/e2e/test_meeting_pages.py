"""The meeting pages in Chromium (issue 26, point 5): axe-core finds no serious or critical violation at a
desktop's and a phone's width, and nothing scrolls sideways at 375 px: the calendar, a planned meeting with
its proposed agenda and decisions, a closed one, its members' read, and a decision's page for its owner."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cellule import actions as cellule
from tests.conftest import build_personas
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations, session_cookie
from tests.project.test_audit_coverage import build_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_axe_finds_no_serious_violation_on_the_meeting_pages(live_server):
    people = build_personas()
    context = build_context(people)  # a closed meeting whose decision is member_a's task
    planned = cellule.schedule_meeting(people.coord_a, people.cell_a, cases=[context.case],
                                       held_at=timezone.now() + datetime.timedelta(days=5))
    pages = {
        "coord_a": [reverse("meetings:list"), reverse("meetings:detail", args=[planned.pk]),
                    reverse("meetings:detail", args=[context.meeting.pk])],
        "member_a": [reverse("meetings:detail", args=[context.meeting.pk]),
                     reverse("meetings:decision", args=[context.decision.pk])],
    }
    cookies = {name: session_cookie(getattr(people, name), live_server.url) for name in pages}
    found, answered, wide = {}, {}, {}

    # No ORM call while Playwright's event loop runs: Django refuses sync queries inside it.
    for width in (1280, 375):
        with browser_page(viewport={"width": width, "height": 900}) as page:
            for name, urls in pages.items():
                page.context.clear_cookies()
                page.context.add_cookies(cookies[name])
                for url in urls:
                    response = page.goto(live_server.url + url)
                    answered[f"{name} {url} {width}"] = response.status
                    if violations := blocking_violations(page):
                        found[f"{name} {url} {width}"] = violations
                    if width == 375 and page.evaluate("document.documentElement.scrollWidth") > 375:
                        wide[f"{name} {url}"] = page.evaluate("document.documentElement.scrollWidth")

    assert found == {}
    assert set(answered.values()) == {200}
    assert wide == {}
