"""The pages of the local prevention bodies and of the institutions proposed, in Chromium: axe-core finds no
serious or critical violation at a desktop's and a phone's width on the cellule's page with its bodies, a body's
page with an exchange and with a refused one's errors, the proposal form with its errors, and the technical
administrator's list of proposals; at 375 px nothing scrolls sideways but a table."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cellule import actions as cellule
from organisation import actions as organisation
from organisation.models import InstitutionProposal
from tests.conftest import build_personas
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations, session_cookie
from tests.organisation.factories import InstitutionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [(1280, 900), (375, 740)]


def test_axe_finds_no_serious_violation_on_the_local_prevention_and_proposal_pages(live_server):
    people = build_personas()
    clspd = InstitutionFactory(name="CLSPD de Bobigny", local_prevention=True)
    today = timezone.localdate()
    cellule.record_exchange(people.coord_a, people.cell_a, clspd, on=today, subject="Séance plénière du CLSPD",
                            summary="Présentation de la cellule.")
    organisation.propose_institution(people.coord_a, people.cell_a, InstitutionProposal(
        name="Parquet de Bobigny", category="justice", motive="Aucun membre ne représente le parquet."))
    cookies = {who: session_cookie(getattr(people, who), live_server.url) for who in ("coord_a", "admin")}
    pages = {"coord_a": [reverse("cell_detail", args=["93"]), reverse("prevention:body", args=[clspd.pk]),
                         reverse("institution_propose", args=["93"])],
             "admin": [reverse("institution_proposals")]}
    future = (today + datetime.timedelta(days=2)).isoformat()
    found, widths, answered = {}, {}, set()

    for width, height in WIDTHS:
        with browser_page(viewport={"width": width, "height": height}) as page:
            for who, urls in pages.items():
                page.context.clear_cookies()
                page.context.add_cookies(cookies[who])
                for url in urls:
                    answered.add(page.goto(live_server.url + url).status)
                    found[f"{who} {url} {width}"] = blocking_violations(page)
                    widths[f"{url} {width}"] = page.evaluate("document.documentElement.scrollWidth")
            page.context.clear_cookies()
            page.context.add_cookies(cookies["coord_a"])
            # The forms sent with errors: the error summary and the fields in error, as checked as the rest.
            page.goto(live_server.url + reverse("prevention:body", args=[clspd.pk]))
            page.fill("#id_on", future)
            page.get_by_role("button", name="Enregistrer l'échange").click()
            page.wait_for_selector("[data-error-summary]")
            found[f"exchange refused {width}"] = blocking_violations(page)
            page.goto(live_server.url + reverse("institution_propose", args=["93"]))
            page.get_by_role("button", name="Proposer").click()
            page.wait_for_selector("[data-error-summary]")
            found[f"proposal refused {width}"] = blocking_violations(page)

    assert {key: value for key, value in found.items() if value} == {}
    assert answered == {200}
    assert {key: value for key, value in widths.items() if key.endswith(" 375") and value > 375} == {}
