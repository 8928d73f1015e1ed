"""An object's address by its id (``ui.links.by_id``): Django's ``reverse`` without matching the patterns
anew for each row, the same address or the same error."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from ui.links import by_id


@pytest.mark.parametrize("name", ["cases:detail", "workflows:task", "workflows:claim", "workflows:release"])
@pytest.mark.parametrize("pk", [0, 7, 12345, 9876543210, 98765432101])
def test_an_id_s_address_is_django_s(name, pk):
    assert by_id(name, pk) == reverse(name, args=[pk])


def test_the_script_prefix_is_the_request_s():
    try:
        set_script_prefix("/cellule/")
        assert by_id("cases:detail", 12) == reverse("cases:detail", args=[12]) == "/cellule/signalements/12/"
    finally:
        set_script_prefix("/")
    assert by_id("cases:detail", 12) == "/signalements/12/"


@pytest.mark.parametrize("pk", [-1, True, "12", "abc"])
def test_what_is_no_id_goes_through_reverse(pk):
    try:
        expected = reverse("cases:detail", args=[pk])
    except NoReverseMatch:
        with pytest.raises(NoReverseMatch):
            by_id("cases:detail", pk)
    else:
        assert by_id("cases:detail", pk) == expected


def test_an_address_without_an_id_is_django_s_answer():
    with pytest.raises(NoReverseMatch):
        by_id("workflows:inbox", 12)
