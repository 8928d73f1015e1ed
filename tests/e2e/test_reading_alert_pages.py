"""The alerts on unusual reading in Chromium (issue 30, point 7): at 1280 and 375 px axe-core finds no serious
or critical violation on the coordinator's list (its floor refused, with its error), an alert with its events
and its examination's form (sent empty), and on the inspector's list; at a phone's width nothing scrolls
sideways."""

import pytest
from django.urls import reverse

from tests.conftest import build_personas
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations, session_cookie
from tests.vigilance.history import DAY, detect, read
from vigilance.models import ReadingAlert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = (1280, 375)
SHOTS = "/tmp/alerts-{name}-{width}.png"  # noqa: S108 (screenshots for whoever reads the run)


def test_the_alert_pages_pass_axe_and_fit_a_phone(live_server):
    people = build_personas()
    read(people.member_a, DAY, 12)
    detect()
    alert = ReadingAlert.objects.get()
    pages = {"coord_a": {"list": reverse("vigilance:list"), "detail": reverse("vigilance:detail", args=[alert.pk])},
             "inspector": {"inspector": reverse("vigilance:list")}}
    cookies = {name: session_cookie(getattr(people, name), live_server.url) for name in pages}
    found, measured = {}, {}

    for width in WIDTHS:
        with browser_page(viewport={"width": width, "height": 900}) as page:
            for person, urls in pages.items():
                page.context.clear_cookies()
                page.context.add_cookies(cookies[person])
                for name, url in urls.items():
                    assert page.goto(live_server.url + url).status == 200, (name, width)
                    if name == "list":  # a floor out of bounds, refused
                        page.fill("#id_floor", "500")
                        page.click("#floor button[type=submit]")
                        page.wait_for_load_state()
                        assert "Le seuil va de 2 à 200" in page.content()
                    if name == "detail":  # the examination sent without a comment
                        page.click("#examine button[type=submit]")
                        page.wait_for_load_state()
                        assert "Indiquez ce que l'examen a montré." in page.content()
                    if violations := blocking_violations(page):
                        found[f"{name} {width}"] = violations
                    measured[f"{name} {width}"] = page.evaluate("() => document.documentElement.scrollWidth")
                    page.screenshot(path=SHOTS.format(name=name, width=width), full_page=True)

    assert found == {}
    assert all(scroll <= width for key, scroll in measured.items() for width in [int(key.split()[1])])
