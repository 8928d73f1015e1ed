"""A coordinator signs in through the login page and reaches their home page, in Chromium."""

import pytest

from audit.models import Event
from tests.audit.trail import minute_over
from tests.conftest import PASSWORD
from tests.e2e.browser import browser_page
from tests.organisation.factories import CellFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_logs_in_and_reaches_the_home_page(live_server):
    coordinator = MembershipFactory(
        user__username="claire", user__first_name="Claire", user__last_name="Martin",
        cell=CellFactory(departement__code="93"), coordinator=True,
    ).user

    # No ORM call while Playwright's event loop runs: Django refuses sync queries inside it.
    with browser_page() as page:
        page.goto(f"{live_server.url}/")
        assert page.url.startswith(f"{live_server.url}/connexion/")
        page.get_by_label("Identifiant", exact=True).fill("claire")
        page.get_by_label("Mot de passe", exact=True).fill("pas-le-bon")
        page.get_by_role("button", name="Se connecter").click()
        error = page.get_by_role("alert").inner_text()
        page.get_by_label("Identifiant", exact=True).fill("claire")
        page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(f"{live_server.url}/")
        heading = page.get_by_role("heading", level=1).inner_text()
        header = page.locator("#current-user").inner_text()

    assert "Identifiant ou mot de passe incorrect." in error
    assert heading == "Bonjour Claire Martin"
    assert "Coordination de la cellule, cellule 93" in header
    # Signed in, then the home page, whose composition card is a read of the cellule's staff.
    assert list(Event.objects.filter(actor=coordinator).values_list("action", flat=True)) == ["auth.login",
                                                                                                "cell.view"]
    minute_over()  # failed logins are counted per minute, and written once it is over
    assert Event.objects.get(action="auth.login_failures").object_id == str(coordinator.pk)
