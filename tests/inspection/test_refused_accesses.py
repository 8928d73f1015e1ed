"""Issue 30, point 7: the accesses to a case that were refused appear in the inspector's timeline of that
case and in the search of that case (they are recorded on the case, without its reference)."""

import pytest
from django.urls import reverse

from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db


def events(page) -> str:
    """The page's table of events (its search form lists every type of event)."""
    return page.content.decode().split('id="events"')[1]


@pytest.fixture
def refused(client, personas):
    """A 93 case that a member of the 69 cellule tried to open."""
    case = CaseFactory(coordinator=personas.coord_a)
    client.force_login(personas.member_b)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    client.force_login(personas.inspector)
    return case


def test_the_timeline_shows_the_refused_access(client, refused):
    table = events(client.get(reverse("inspection:case_timeline", args=[refused.reference])))
    assert "Accès refusé" in table and "member_b" in table


def test_the_search_of_the_case_shows_the_refused_access(client, refused):
    table = events(client.get(reverse("inspection:search"), {"reference": refused.reference}))
    assert "Accès refusé" in table and "member_b" in table


def test_the_search_of_another_case_does_not(client, personas, refused):
    other = CaseFactory(coordinator=personas.coord_a)
    table = events(client.get(reverse("inspection:search"), {"reference": other.reference}))
    assert "Accès refusé" not in table and "member_b" not in table
