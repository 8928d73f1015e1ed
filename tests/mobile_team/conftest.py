import pytest

from tests.organisation.factories import MembershipFactory


@pytest.fixture
def mobile2(personas):
    """A second agent of the mobile team."""
    return MembershipFactory(mobile_team=True, user__username="mobile2").user
