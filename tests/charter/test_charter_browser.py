"""The charter's page in Chromium, where a newcomer lands: no serious or critical axe violation at a desk's
width and a phone's, nothing to scroll sideways on the phone, and accepting leads to the page asked for."""

import pytest
from django.urls import reverse

from charter.models import Acceptance
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations, session_cookie
from tests.organisation.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_charter_page_is_accessible_and_accepting_it_leads_on(live_server, width):
    member = MembershipFactory(charter_accepted=False).user
    cookies = session_cookie(member, live_server.url)
    with browser_page(viewport={"width": width, "height": 800}) as page:
        page.context.add_cookies(cookies)
        page.goto(live_server.url + reverse("workflows:inbox"))
        assert page.url.startswith(live_server.url + reverse("charter:page"))
        violations = blocking_violations(page)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        page.locator("label[for=id_read]").click()  # the DSFR box: its label is what one clicks
        page.get_by_role("button", name="Accepter la charte").click()
        page.wait_for_load_state()
        landed = page.url
    assert violations == []
    assert overflow <= width
    assert landed == live_server.url + reverse("workflows:inbox")
    assert Acceptance.objects.filter(user=member).exists()
