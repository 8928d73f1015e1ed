"""The notification pages in Chromium, at a desktop's and a phone's width: axe-core finds no serious or
critical violation on a person's notifications (unread and read), the choice of e-mail, and the case
list and page with the mark of a case changed since the last visit; screenshots kept for a look."""

import os

import pytest
from django.urls import reverse

from cases import actions
from tests.conftest import build_personas
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations, session_cookie
from tests.project.test_audit_coverage import build_context
from workflows.models import Notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [(1280, 900), (375, 740)]


def test_axe_finds_no_serious_violation_on_the_notification_pages(live_server, client):
    people = build_personas()
    case = build_context(people).case  # its référent, member_a, was told of its tasks and more
    client.force_login(people.coord_a)
    client.get(reverse("cases:detail", args=[case.pk]))  # a first visit, then a change since
    actions.add_note(people.member_a, case, text="Appel de la mère.", visibility="cellule")
    mine = Notification.objects.filter(recipient=people.member_a)
    mine.filter(pk=mine.earliest("pk").pk).update(read_at=mine.earliest("pk").created_at)
    pages = {
        "member_a": [reverse("notifications:list"), reverse("notifications:list") + "?non-lues=1",
                     reverse("notifications:preferences")],
        "coord_a": [reverse("cases:list"), reverse("cases:detail", args=[case.pk])],
    }
    cookies = {who: session_cookie(getattr(people, who), live_server.url) for who in pages}
    found, answered, shots = {}, set(), os.environ.get("SCREENSHOTS_DIR")
    for width, height in WIDTHS:
        with browser_page(viewport={"width": width, "height": height}) as page:
            for who, urls in pages.items():
                page.context.clear_cookies()
                page.context.add_cookies(cookies[who])
                for number, url in enumerate(urls):
                    response = page.goto(live_server.url + url)
                    answered.add((response.status, page.url == live_server.url + url))
                    if violations := blocking_violations(page):
                        found[f"{who} {url} {width}px"] = violations
                    if shots:
                        page.screenshot(path=f"{shots}/{who}-{number}-{width}.png", full_page=True)
    assert found == {}
    assert answered == {(200, True)}
