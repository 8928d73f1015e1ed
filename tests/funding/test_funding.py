"""The FIPD's actions (issue 29, point 2): a cellule's coordinators enter and follow them, bad amounts are
refused in French and change nothing, no one else writes them; the national level reads them added up per
département beside each cellule's functioning, never an action's detail nor a count of 1 or 2; both export
them for the funding campaign."""

import csv
import datetime
import html
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import Event
from cellule import actions as cellule
from funding import actions as funding
from funding.models import FundedAction
from outbox.queue import run_due
from reporting import actions as reports
from reporting.figures import Month
from tests.cases.factories import CaseFactory
from tests.organisation.factories import InstitutionFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

YEAR = timezone.localdate().year
CREATE, LIST = reverse("funding:create"), reverse("funding:list")
NATIONAL = reverse("funding:national")


@pytest.fixture
def association(personas):
    return InstitutionFactory(name="Association Sauvegarde 93", category="association",
                              departement=personas.cell_a.departement)


def form(association, **changes) -> dict:
    data = {"title": "Groupe de parole des parents", "description": "", "institution": association.pk,
            "operator_name": "", "year": YEAR, "amount_requested": "18000", "amount_granted": "",
            "young_people": "12", "families": "9", "status": "proposed"}
    return {**data, **changes}


def action(personas, association, cell=None, coordinator=None, **fields) -> FundedAction:
    values = {"title": "Groupe de parole des parents", "institution": association if cell is None else None,
              "operator_name": "" if cell is None else "Mairie de Vénissieux", "year": YEAR,
              "amount_requested": 18_000, "young_people": 12, "families": 9, **fields}
    return funding.create_funded_action(coordinator or personas.coord_a, cell or personas.cell_a, **values)


def test_a_coordinator_records_an_action_and_follows_it_through_the_campaign(client, personas, association):
    client.force_login(personas.coord_a)
    response = client.post(CREATE, form(association))
    assert response.status_code == 302 and response["Location"] == LIST
    created = FundedAction.objects.get()
    assert (created.cell, created.institution, created.amount_requested, created.status) == (
        personas.cell_a, association, 18_000, "proposed")
    assert Event.objects.get(action="funded_action.create").departement == "93"

    edit = reverse("funding:edit", args=[created.pk])
    assert client.post(edit, form(association, status="under_way", amount_granted="15000")).status_code == 302
    created.refresh_from_db()
    assert (created.status, created.amount_granted) == ("under_way", 15_000)
    changes = Event.objects.get(action="funded_action.update").details["changements"]
    assert changes["amount_granted"] == {"avant": None, "après": 15_000}

    page = client.get(LIST).content.decode()
    assert "Groupe de parole des parents" in page and "18\u202f000\u00a0€" in page and "15\u202f000\u00a0€" in page
    assert "En cours" in page


@pytest.mark.parametrize("changes, field, message", [
    ({"amount_granted": "20000", "status": "granted"}, "amount_granted",
     "Le montant accordé (20\u202f000\u00a0€) ne peut dépasser le montant demandé (18\u202f000\u00a0€)."),
    ({"amount_requested": "0"}, "amount_requested", "Le montant demandé est d'au moins 1 euro."),
    ({"amount_requested": "-5"}, "amount_requested", "supérieure ou égale à 0"),
    ({"amount_requested": "12,5"}, "amount_requested", "Saisissez un nombre entier."),
    ({"amount_requested": "99999999"}, "amount_requested", "dépasse 10\u202f000\u202f000\u00a0€"),
    ({"status": "granted"}, "amount_granted", "Indiquez le montant accordé"),
    ({"amount_granted": "5000"}, "amount_granted", "n'a pas de montant accordé"),
    ({"institution": "", "operator_name": ""}, "institution", "Indiquez le porteur de l'action"),
    ({"operator_name": "Mairie de Bobigny"}, "operator_name", "pas les deux"),
    ({"year": "2009"}, "year", "au plus tôt 2015"),
    ({"year": str(YEAR + 2)}, "year", f"au plus tard {YEAR + 1}"),
])
def test_bad_amounts_and_fields_are_refused_in_french_and_nothing_is_saved(client, personas, association, changes,
                                                                          field, message):
    client.force_login(personas.coord_a)
    response = client.post(CREATE, form(association, **changes))
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert not FundedAction.objects.exists() and not Event.objects.filter(action="funded_action.create").exists()


def test_an_edit_refused_leaves_the_action_as_it_was(client, personas, association):
    saved = action(personas, association)
    client.force_login(personas.coord_a)
    response = client.post(reverse("funding:edit", args=[saved.pk]),
                           form(association, title="Autre", status="done", amount_granted="19000"))
    assert response.status_code == 400 and "ne peut dépasser" in response.content.decode()
    saved.refresh_from_db()
    assert (saved.title, saved.status, saved.amount_granted) == ("Groupe de parole des parents", "proposed", None)


def test_an_institution_of_another_departement_cannot_run_the_action(client, personas):
    lyon = InstitutionFactory(name="Association Entr'aide Rhône", category="association",
                              departement=personas.cell_b.departement)
    client.force_login(personas.coord_a)
    response = client.post(CREATE, form(lyon))
    assert response.status_code == 400 and not FundedAction.objects.exists()
    assert "institution" in response.context["form"].errors  # not even offered: the 93's institutions only


def test_only_the_cellules_coordinators_write_its_actions(client, personas, association):
    saved = action(personas, association)
    edit = reverse("funding:edit", args=[saved.pk])
    client.force_login(personas.coord_b)  # another département's coordinator: the action is not found
    assert client.get(edit).status_code == 404
    assert client.post(edit, form(association, title="Détournée")).status_code == 404
    assert "Groupe de parole" not in client.get(LIST).content.decode()  # their own cellule's list
    client.force_login(personas.member_a)  # a member of the cellule: refused
    assert client.get(CREATE).status_code == 403 and client.get(LIST).status_code == 403
    assert client.post(CREATE, form(association, title="Autre")).status_code == 403
    assert client.post(edit, form(association, title="Détournée")).status_code == 404
    client.force_login(personas.national)  # the national level reads aggregates only
    assert client.get(LIST).status_code == 403 and client.get(edit).status_code == 404
    assert list(FundedAction.objects.values_list("title", flat=True)) == ["Groupe de parole des parents"]
    assert Event.objects.filter(action="access.denied").count() >= 3


def test_the_coordinator_exports_the_cellules_actions_for_the_campaign(client, personas, association):
    action(personas, association, status="granted", amount_granted=15_000)
    action(personas, association, cell=personas.cell_b, coordinator=personas.coord_b, title="Action du Rhône")
    client.force_login(personas.coord_a)
    response = client.get(reverse("funding:export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:6] == ["Année", "Intitulé", "Porteur", "État", "Montant demandé (euros)",
                           "Montant accordé (euros)"]
    assert rows[2][:6] == [str(YEAR), "Groupe de parole des parents", "Association Sauvegarde 93",
                           "Subvention accordée", "18000", "15000"]
    assert len(rows) == 3  # the Rhône's action is not the 93's
    book = load_workbook(io.BytesIO(client.get(reverse("funding:export", args=["xlsx"])).content))
    assert [cell.value for cell in book.active[3]][4:6] == [18_000, 15_000]
    assert Event.objects.filter(action__in=["export.funding_csv", "export.funding_xlsx"], departement="93").count() == 2
    assert client.get(reverse("funding:export", args=["pdf"])).status_code == 404


def test_the_national_level_reads_totals_beside_the_functioning_never_an_action(client, personas, association):
    action(personas, association, status="granted", amount_granted=15_000, young_people=12, families=2)
    action(personas, association, title="Formation des professionnels", amount_requested=4_000, status="refused",
           young_people=0, families=0)
    action(personas, association, cell=personas.cell_b, coordinator=personas.coord_b, title="Action du Rhône",
           amount_requested=9_000, young_people=1, families=5)
    cases = [CaseFactory(coordinator=personas.coord_a, in_care=True) for _ in range(3)]
    cellule.schedule_meeting(personas.coord_a, personas.cell_a, held_at=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(personas.national)
    response = client.get(f"{NATIONAL}?annee={cases[0].received_on.year}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Groupe de parole" not in page and "Action du Rhône" not in page and "Sauvegarde" not in page
    rows = {row.code: row for row in response.context["data"]["rows"]}
    assert rows["93"].actions == 2 and rows["93"].funded == 1
    assert (rows["93"].requested, rows["93"].granted) == (22_000, 15_000)
    assert (rows["93"].young, rows["93"].families) == ("12", "< 3")  # the refused action counts no one
    assert (rows["69"].young, rows["69"].families) == ("< 3", "5")
    assert rows["93"].meetings == 1 and rows["93"].installed
    assert rows["93"].contact_delay == "0" and rows["69"].contact_delay == "—"  # 3 situations at least
    totals = response.context["data"]["totals"]
    assert (totals["young"], totals["families"]) == ("13 à 14", "6 à 7")  # no suppressed count given back
    assert "22\u202f000\u00a0€" in page or "31\u202f000\u00a0€" in page
    assert Event.objects.filter(action="funding.national_view", actor=personas.national, departement="").exists()

    exported = client.get(reverse("funding:national_export", args=[YEAR, "csv"])).content.decode("utf-8-sig")
    assert "Groupe de parole" not in exported and "< 3" in exported and "13 à 14" in exported
    assert client.get(reverse("funding:national_export", args=[YEAR, "xlsx"])).status_code == 200


def test_the_national_view_counts_the_monthly_reports_sent(client, personas, settings):
    settings.REPORT_RECIPIENTS = ["cipdr@example.invalid"]
    month = Month.of(timezone.localdate()).previous()
    reports.send(personas.coord_a, reports.validate(personas.coord_a, reports.current(
        personas.coord_a, personas.cell_a, month)))
    run_due()
    client.force_login(personas.national)
    rows = {row.code: row for row in client.get(f"{NATIONAL}?annee={month.first.year}").context["data"]["rows"]}
    expected = month.first.month  # the cellules were installed in 2015: every ended month of the year
    assert rows["93"].reports == f"1 / {expected}" and rows["69"].reports == f"0 / {expected}"


def test_the_national_pages_are_the_national_levels_and_a_bad_year_is_told(client, personas):
    client.force_login(personas.coord_a)
    assert client.get(NATIONAL).status_code == 403
    assert client.get(reverse("funding:national_export", args=[YEAR, "csv"])).status_code == 403
    client.force_login(personas.national)
    response = client.get(f"{NATIONAL}?annee=deux-mille", follow=True)
    assert response.status_code == 200 and response.context["year"] == YEAR
    assert "L'année est un nombre de 2015 à" in html.unescape(response.content.decode())
    assert client.get(reverse("funding:national_export", args=[1999, "csv"])).status_code == 302
    assert client.get(reverse("funding:national_export", args=[YEAR, "ods"])).status_code == 404


def test_the_menu_leads_each_role_to_its_fipd_page(client, personas):
    client.force_login(personas.coord_a)
    assert f'href="{LIST}"' in client.get(reverse("home")).content.decode()
    client.force_login(personas.national)
    page = client.get(reverse("national:view")).content.decode()
    assert f'href="{NATIONAL}"' in page
    client.force_login(personas.member_a)
    assert f'href="{LIST}"' not in client.get(reverse("home")).content.decode()
