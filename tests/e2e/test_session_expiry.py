"""The warning before a session ends (issue 28, point 14; RGAA 13.1), in Chromium with the page's clock
moved forward: shown two minutes before the idle timeout, with the focus in it; « Prolonger la session »
extends the session on the server and keeps what was typed; without it, the page says the session has
ended and still shows the text."""

import pytest
from django.urls import reverse

from tests.cases.factories import CaseFactory
from tests.conftest import build_personas
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TYPED = "Appel à la mère : elle rappellera lundi."


def test_the_warning_lets_the_person_stay_signed_in_without_losing_what_they_typed(live_server, settings):
    settings.SESSION_IDLE_MINUTES = 30
    people = build_personas()
    case = CaseFactory(coordinator=people.coord_a)
    cookies = session_cookie(people.coord_a, live_server.url)

    with browser_page(viewport={"width": 375, "height": 740}) as page:
        page.clock.install()
        page.context.add_cookies(cookies)
        page.goto(live_server.url + reverse("cases:action", args=[case.pk, "note"]))
        page.locator("textarea").first.fill(TYPED)
        dialog = page.locator("#session-expiry")
        page.clock.run_for("27:30")
        assert not dialog.is_visible()
        page.clock.run_for("01:00")  # two minutes before the end
        assert dialog.is_visible() and "Votre session va expirer" in dialog.inner_text()
        focused = page.evaluate("document.activeElement.closest('#session-expiry') !== null")
        violations = blocking_violations(page)
        with page.expect_response(lambda r: r.url.endswith(reverse("session_extend"))) as extended:
            dialog.get_by_role("button", name="Prolonger la session").click()
        assert extended.value.status == 200
        page.clock.run_for("00:01")
        assert not dialog.is_visible()
        assert page.locator("textarea").first.input_value() == TYPED
        page.clock.run_for("27:00")  # counted from the extension
        assert not dialog.is_visible()
        page.clock.run_for("01:30")
        assert dialog.is_visible()
        page.clock.run_for("02:00")  # nobody answered: the session has ended
        expired = dialog.inner_text()
        assert page.locator("textarea").first.input_value() == TYPED

    assert focused and violations == []
    assert "Votre session est terminée" in expired and "copiez-le" in expired
