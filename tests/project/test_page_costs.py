"""What a signed-in page costs in queries, per role, once the session is under way (its times written,
its scope kept: ``organisation.session_store``, ``organisation.session_scope``): a budget per page, so
that a read added to every request shows here. The session, the user's memberships and the charter's
acceptance cost none of them; the user is read once, with their memberships' version."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.cases.factories import CaseFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

# (who, page, the largest query count; before the session's cache and the scope kept with it, in parentheses)
PAGES = [
    ("coord_a", "home", 8),  # (11)
    ("member_a", "home", 7),  # (9)
    ("national", "home", 4),  # (6)
    ("coord_a", "workflows:inbox", 4),  # (6)
    ("member_a", "workflows:inbox", 7),  # (9)
    ("coord_a", "cases:list", 9),  # (11)
    ("member_a", "cases:list", 11),  # (13)
    ("coord_a", "cases:detail", 29),  # (31)
    ("member_a", "cases:detail", 29),  # (31)
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
