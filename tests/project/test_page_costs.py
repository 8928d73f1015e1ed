"""What a signed-in page costs in queries, per role, once the session is under way (its times written,
its scope kept: ``organisation.session_store``, ``organisation.session_scope``): a budget per page, so
that a read added to every request shows here. The session, the user's memberships and the charter's
acceptance cost none of them; the user is read once, with their memberships' version."""

import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from retention import actions as retention
from tests.cases.factories import CaseFactory
from tests.mobile_team.factories import mobile_request

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

# (who, page, the largest query count; before the session's cache and the scope kept with it, in parentheses,
# then before the home page's reading alerts joined its counters and its parquet warning its composition)
PAGES = [
    ("coord_a", "home", 5),  # (11, 8)
    ("member_a", "home", 7),  # (9)
    ("national", "home", 4),  # (6)
    ("coord_a", "workflows:inbox", 4),  # (6)
    ("member_a", "workflows:inbox", 7),  # (9)
    ("coord_a", "cases:list", 9),  # (11)
    ("member_a", "cases:list", 11),  # (13)
    ("coord_a", "cases:detail", 26),  # (31; 29 before each of its records was read once a page)
    ("member_a", "cases:detail", 26),  # (31; 29)
    ("inspector", "inspection:search", 9),  # (10: an inspector's scope follows their mandates, never kept)
]


@pytest.mark.parametrize(("who", "page", "budget"), PAGES, ids=[f"{who}-{page}" for who, page, _ in PAGES])
def test_a_signed_in_page_stays_within_its_query_budget(client, personas, who, page, budget):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    url = reverse(page, args=[case.pk]) if page == "cases:detail" else reverse(page)
    client.force_login(getattr(personas, who))
    assert client.get(url).status_code == 200  # the session under way: its times written, its scope kept
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    assert len(captured) <= budget


# What several actions, sections and summaries of the case page ask of the case (``Case.read_once``).
ASKED_BY_MANY = {"retention_legalhold", "retention_erasure", "mobile_team_mobileteamrequest", "cases_historicalcase"}


@pytest.mark.parametrize("situation", ["closed under a legal hold", "the mobile team's answer to read"])
def test_the_case_page_reads_each_of_its_records_once(client, personas, situation):
    if situation == "closed under a legal hold":
        case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, closed=True)
        retention.place_hold(personas.coord_a, case, reason="Réquisition du parquet")
    else:
        case = mobile_request(personas.coord_a, personas.mobile, status="accepted").case
    client.force_login(personas.coord_a)
    url = reverse("cases:detail", args=[case.pk])
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url)
    assert page.status_code == 200
    read = Counter(re.search(r'FROM "(\w+)"', query["sql"]).group(1) for query in captured.captured_queries
                   if query["sql"].startswith("SELECT"))
    assert {table: read[table] for table in ASKED_BY_MANY} == dict.fromkeys(ASKED_BY_MANY, 1)
