"""The integrity page's checkpoints and witnesses in Chromium: no serious or critical violation for
axe-core, and at a phone's width each checkpoint is a card, with nothing to scroll sideways."""

import pytest
from django.urls import reverse

import audit
from tests.conftest import build_personas
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_checkpoints_and_their_witnesses(live_server):
    people = build_personas()
    with audit.acting(label="audit_checkpoint"):
        for size, cosigned, refused in ((4, ["inspection", "dpo"], {}), (9, ["inspection"], {"dpo": "injoignable"})):
            audit.record("audit.checkpoint", proven=True, details={
                "rang": size, "racine": "ab", "clé": "journal", "témoins": cosigned, "refus": refused, "quorum": 2,
                "établi": not refused})
    cookies = session_cookie(people.inspector, live_server.url)
    url = live_server.url + reverse("inspection:integrity")
    found, widths = {}, {}
    for width in (1280, 375):
        with browser_page(viewport={"width": width, "height": 800}) as page:
            page.context.add_cookies(cookies)
            page.goto(url)
            found[width] = blocking_violations(page)
            widths[width] = page.evaluate("""() => [document.documentElement.scrollWidth,
                getComputedStyle(document.querySelector("#checkpoints tbody tr")).display]""")
    assert found == {1280: [], 375: []}
    assert widths[375] == [375, "block"] and widths[1280][1] == "table-row"
