"""The plan's and the bilan's pages in Chromium, at a desktop's and a phone's width: axe-core finds no
serious or critical violation on the case page with its plan, the forms of an objective, an action and
the closure with its bilan, a report's results, the coordinator's dashboard with a stalled case, the
référent's task pages with their case (the start of care after an orientation, the review) and the
partner's page with the action to update."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases import actions
from tests.cases.factories import CaseFactory, bilan
from tests.conftest import build_personas
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations, session_cookie
from tests.organisation.factories import MembershipFactory
from tests.project.test_audit_coverage import build_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [(1280, 900), (375, 740)]


def test_axe_finds_no_serious_violation_on_the_plan_and_bilan_pages(live_server):
    people = build_personas()
    context = build_context(people)  # a case in care with a plan: an action its measure carries
    case = context.case
    partner = MembershipFactory(cell=people.cell_a, institution=context.measure.institution).user
    closed = CaseFactory(coordinator=people.coord_a, referent=people.member_a, in_care=True)
    actions.close(people.coord_a, closed, reason="completed", note="Fin.", measures_outcome="completed",
                  bilan=bilan(closed))
    with time_machine.travel(datetime.datetime.now() - datetime.timedelta(days=90)):
        CaseFactory(coordinator=people.coord_a, referent=people.member_a, assigned=True)  # stalled since
    oriented = CaseFactory(coordinator=people.coord_a, referent=people.member_a, assigned=True)
    actions.add_care_measure(people.coord_a, oriented, modality="social", beneficiary="young_person",
                             starts_on=timezone.localdate(), institution=context.measure.institution,
                             adhesion="young_person")  # an orientation: the start of care asks for the plan only
    month = timezone.localdate().strftime("%Y-%m")
    pages = {
        "coord_a": [reverse("cases:detail", args=[case.pk]), reverse("cases:action", args=[case.pk, "objectif"]),
                    reverse("cases:action", args=[case.pk, "action-plan"]),
                    reverse("cases:action", args=[case.pk, "cloturer"]),
                    reverse("cases:detail", args=[closed.pk]), reverse("reports:detail", args=[month]),
                    reverse("reports:dashboard")],
        "partner": [reverse("cases:detail", args=[case.pk])],
        "member_a": [reverse("cases:action", args=[case.pk, "revue"]),
                     reverse("cases:action", args=[oriented.pk, "prise-en-charge"])],
    }
    cookies = {"coord_a": session_cookie(people.coord_a, live_server.url),
               "partner": session_cookie(partner, live_server.url),
               "member_a": session_cookie(people.member_a, live_server.url)}
    found, answered = {}, set()
    for width, height in WIDTHS:
        with browser_page(viewport={"width": width, "height": height}) as page:
            for who, urls in pages.items():
                page.context.clear_cookies()
                page.context.add_cookies(cookies[who])
                for url in urls:
                    response = page.goto(live_server.url + url)
                    answered.add((response.status, page.url == live_server.url + url))
                    if violations := blocking_violations(page):
                        found[f"{who} {url} {width}px"] = violations
    assert found == {}
    assert answered == {(200, True)}
