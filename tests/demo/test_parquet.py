"""The demo's "information du procureur": a case of the 93 in care, last month, counted in the report sent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from cases.models import ProsecutorInformation
from reporting.figures import Month
from reporting.models import MonthlyReport
from tests.conftest import built_once


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker), override_settings(DEMO=True):
        call_command("seed_demo", stdout=StringIO())
        yield


def test_the_93s_coordinator_informed_the_procureur_last_month(demo, db, client):
    information = ProsecutorInformation.objects.select_related("case", "by").get()
    month = Month.of(timezone.localdate()).previous()
    assert information.case.departement.code == "93" and month.first <= information.on <= month.last
    assert information.by.memberships.get().role == "coordinator"
    report = MonthlyReport.objects.get(cell__departement__code="93", month=month.first, figures__isnull=False)
    assert report.figures["prosecutor_informations"] == 1
    client.force_login(information.by)
    page = client.get(reverse("cases:detail", args=[information.case.pk])).content.decode()
    assert "Information du procureur — le :" in page


def test_seeding_again_adds_none(demo, db):
    with override_settings(DEMO=True):
        call_command("seed_demo", stdout=StringIO())
    assert ProsecutorInformation.objects.count() == 1
