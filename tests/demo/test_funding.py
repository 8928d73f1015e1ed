"""The demo's FIPD action (issue 29, point 2): the 93's, proposed then granted less than asked and under way,
seen by its coordinator and, added up, by the national level; seeding again adds none."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test.utils import override_settings
from django.urls import reverse

from audit.models import Event
from funding.models import FundedAction
from organisation import policy
from tests.conftest import built_once


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker), override_settings(DEMO=True):
        call_command("seed_demo", stdout=StringIO())
        call_command("seed_demo", stdout=StringIO())  # idempotent
        yield


def test_the_93_has_one_fipd_action_under_way(demo, db):
    action = FundedAction.objects.get()
    assert (action.cell.departement.code, action.status, action.amount_requested, action.amount_granted) == (
        "93", "under_way", 18_000, 15_000)
    assert Event.objects.filter(action__startswith="funded_action.").count() == 2


def test_its_coordinator_and_the_national_level_see_it(demo, db, client):
    coordinator, national = User.objects.get(username="coord93"), User.objects.get(username="national")
    for user in (coordinator, national):
        policy.forget(user)
    client.force_login(coordinator)
    assert "Accompagnement des familles" in client.get(reverse("funding:list")).content.decode()
    client.force_login(national)
    response = client.get(reverse("funding:national"))
    row = next(r for r in response.context["data"]["rows"] if r.code == "93")
    assert (row.actions, row.granted, row.young) == (1, 15_000, "12")
    assert "Accompagnement des familles" not in response.content.decode()
