"""The paginator whose count stops a few pages ahead (``ui.counts.CappedPaginator``): a long list's first
page counts only the rows up to its cap, says so in French, and the next pages move the cap on."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from ui.counts import CappedPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    users = get_user_model()
    users.objects.bulk_create(users(username=f"agent-{n:03}") for n in range(130))
    return users.objects.filter(username__startswith="agent-").order_by("username")


def pagination(page) -> str:
    return " ".join(render_to_string("_pagination.html", {"page": page, "query": {}}).split())


def test_the_first_page_counts_up_to_its_cap_and_says_there_are_more(people):
    paginator = CappedPaginator(people, 25)
    with CaptureQueriesContext(connection) as queries:
        page = paginator.get_page("1")
    count = [query["sql"] for query in queries if "COUNT(" in query["sql"]]
    assert len(count) == 1 and "LIMIT 126" in count[0]  # 1 + 4 pages ahead, and one row to know there is more
    assert (paginator.count, paginator.num_pages, paginator.capped) == (125, 5, True)
    assert [user.username for user in page] == [f"agent-{n:03}" for n in range(25)]
    assert "Page 1 sur plus de 5" in pagination(page) and "Page suivante" in pagination(page)


def test_a_page_further_on_counts_further_and_the_last_one_is_exact(people):
    paginator = CappedPaginator(people, 25)
    page = paginator.get_page(3)
    assert (paginator.count, paginator.num_pages, paginator.capped) == (130, 6, False)
    assert "Page 3 sur 6" in pagination(page)
    last = CappedPaginator(people, 25).get_page(6)
    assert [user.username for user in last] == [f"agent-{n:03}" for n in range(125, 130)]
    assert "Page 6 sur 6" in pagination(last) and "Page suivante" not in pagination(last)


@pytest.mark.parametrize(("asked", "shown"), [("", 1), ("abc", 1), (None, 1), ("999", 6), ("-2", 5)])
def test_a_page_number_out_of_range_or_not_a_number_gives_a_page(people, asked, shown):
    """As Django's: the first page for no number, the last one for a number out of range (for a
    negative one, the last page counted)."""
    assert CappedPaginator(people, 25).get_page(asked).number == shown
