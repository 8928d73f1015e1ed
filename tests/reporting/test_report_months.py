"""The months of the monthly report (issue 28, point 4): a cellule reports from its installation (or,
not installed, its creation) to the current month, drafted as it goes and validated once ended; the
national view shows the ended months from the earliest cellule's first, and opens on the last one."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from organisation.errors import ActionRefused
from reporting import actions as reports
from reporting.figures import Month
from reporting.models import MonthlyReport
from tests.organisation.factories import CellFactory, MembershipFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

APRIL_6 = datetime.datetime(2026, 4, 6, 8, tzinfo=datetime.UTC)
NATIONAL = reverse("national:view")


@pytest.fixture(autouse=True)
def _early_april():
    with time_machine.travel(APRIL_6, tick=False):
        yield


def page(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(("month", "message"), [
    ("1999-01", "Aucun compte rendu pour janvier 1999 : les comptes rendus de la cellule commencent en "
                "janvier 2015, mois de son installation."),
    ("2014-12", "commencent en janvier 2015"),
    ("2099-01", "Aucun compte rendu pour janvier 2099 : ce mois n&#x27;a pas encore commencé."),
    ("2026-05", "mai 2026 : ce mois n&#x27;a pas encore commencé"),
])
def test_a_month_outside_the_cellules_life_has_no_report(client, personas, month, message):
    client.force_login(personas.coord_a)
    url = reverse("reports:detail", args=[month])
    for response in (client.get(url, follow=True),
                     client.post(url, {"results": "R", "difficulties": "D", "validate": ""}, follow=True),
                     client.get(reverse("reports:export", args=[month, "csv"]), follow=True)):
        assert response.redirect_chain == [(reverse("reports:list"), 302)]
        assert message in page(response)
    assert not MonthlyReport.objects.exists()
    draft = MonthlyReport(cell=personas.cell_a, month=Month.parse(month).first)
    for act in (lambda: reports.current(personas.coord_a, personas.cell_a, Month.parse(month)),
                lambda: reports.edit(personas.coord_a, draft, results="R", difficulties="D"),
                lambda: reports.validate(personas.coord_a, draft)):
        with pytest.raises(ActionRefused):
            act()
    assert not MonthlyReport.objects.exists()


def test_the_months_of_the_cellules_life_are_reported(client, personas):
    client.force_login(personas.coord_a)
    first = client.post(reverse("reports:detail", args=["2015-01"]), {"results": "R", "difficulties": "",
                                                                      "validate": ""})
    assert first.status_code == 302 and MonthlyReport.objects.get(month="2015-01-01").status == "validated"
    current = reverse("reports:detail", args=["2026-04"])  # drafted as the month goes, validated once ended
    assert client.get(current).status_code == 200
    refused = client.post(current, {"results": "Noté en cours de mois.", "difficulties": "", "validate": ""})
    assert "avril 2026 n&#x27;est pas terminé" in page(refused)
    assert MonthlyReport.objects.get(month="2026-04-01").status == "draft"


def test_a_cellule_not_installed_reports_from_its_creation(client, personas):
    with time_machine.travel(datetime.datetime(2026, 2, 10, 9, tzinfo=datetime.UTC), tick=False):
        cell = CellFactory(departement__code="13", installed_on=None)
    client.force_login(MembershipFactory(cell=cell, coordinator=True).user)
    refused = client.get(reverse("reports:detail", args=["2026-01"]), follow=True)
    assert "commencent en février 2026, mois de sa création dans l&#x27;application" in page(refused)
    assert client.get(reverse("reports:detail", args=["2026-02"])).status_code == 200


def test_the_list_begins_with_the_cellule(client, personas):
    personas.cell_a.installed_on = datetime.date(2026, 2, 20)
    personas.cell_a.save()
    client.force_login(personas.coord_a)
    listed = page(client.get(reverse("reports:list")))
    assert all(f"/comptes-rendus/2026-0{m}/" in listed for m in (2, 3, 4))
    assert "/comptes-rendus/2026-01/" not in listed and "/comptes-rendus/2025-" not in listed


def test_no_reminder_for_a_month_before_the_cellule(personas, settings):
    from reporting.reminders import due

    personas.cell_b.installed_on = datetime.date(2026, 4, 1)  # installed this month: March is none of its
    personas.cell_b.save()
    assert [cell for cell, _ in due(datetime.date(2026, 4, 6))] == [personas.cell_a]
    assert not mail.outbox


def test_the_national_view_opens_on_the_last_ended_month(client, personas):
    client.force_login(personas.national)
    opened = page(client.get(NATIONAL))
    assert "Consolidation nationale — mars 2026" in opened
    assert 'href="?mois=2026-02"' in opened and "Mois suivant" not in opened  # April is not ended
    earliest = page(client.get(NATIONAL, {"mois": "2015-01"}))  # the earliest cellule's first month
    assert "Mois précédent" not in earliest and 'href="?mois=2015-02">Mois suivant' in earliest


@pytest.mark.parametrize(("asked", "shown", "message"), [
    ("1800-01", "2015-01", "La consolidation nationale couvre les mois de janvier 2015 à mars 2026 (mois terminés) "
                           ": voici janvier 2015."),
    ("2099-01", "2026-03", "voici mars 2026"),
    ("2026-04", "2026-03", "voici mars 2026"),  # the month under way
    ("2026-3x", "2026-03", "Mois invalide : « 2026-3x » (format attendu : AAAA-MM, par exemple 2026-03). "
                           "Voici le dernier mois terminé, mars 2026."),
    ("0000-01", "2026-03", "Mois invalide"),
])
def test_the_national_view_shows_its_months_only(client, personas, asked, shown, message):
    personas.cell_b.installed_on = datetime.date(2016, 3, 10)
    personas.cell_b.save()
    client.force_login(personas.national)
    for url in (f"{NATIONAL}?mois={asked}", reverse("national:export", args=[asked, "csv"])):
        response = client.get(url, follow=True)
        assert response.redirect_chain == [(f"{NATIONAL}?mois={shown}", 302)], url
        assert message in page(response).replace("&#x27;", "'").replace("&amp;", "&")
        assert f"Consolidation nationale — {Month.parse(shown).label()}" in page(response)
