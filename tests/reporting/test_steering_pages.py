"""The national view's steering figures through HTTP (issue 29, point 6): the median delays and the
difficulties by category the coordinators tick, frozen at sending; as the national officer, no name and no
suppressed count in any page, export or chart."""

import csv
import datetime
import io
import re

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import Event
from cases import actions
from cases.models import Case, Person
from organisation.errors import ActionRefused
from reporting import actions as reports
from reporting.figures import compute
from reporting.models import MonthlyReport
from tests.cases.factories import CaseFactory
from tests.reporting.test_monthly_report import MARCH, march, on, send_march  # noqa: F401

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


def reached(coordinator, received: datetime.date, days: int):
    """A case received on ``received`` whose family was reached ``days`` later."""
    with on(received.year, received.month, received.day, 10):
        case = CaseFactory(coordinator=coordinator, received_on=received)
    contacted = received + datetime.timedelta(days=days)
    with on(contacted.year, contacted.month, contacted.day, 11):
        actions.record_family_contact(coordinator, case, on=contacted, channel="phone", outcome="reached")
    return case


def send(coordinator, cell, categories: list[str]) -> MonthlyReport:
    report = reports.current(coordinator, cell, MARCH)
    report = reports.edit(coordinator, report, results="", difficulties="Voir les catégories.", categories=categories)
    reports.validate(coordinator, report)
    report = reports.send(coordinator, report)
    reports.delivered(report.pk, accepted=True)
    report.refresh_from_db()
    return report


@pytest.fixture
def both_sent(personas, march):  # noqa: F811
    """March sent by the 93, three of whose families were reached after 0, 2 and 4 days, and by the Rhône, one
    of whose after 5 days; categories ticked by one report or two."""
    for days in (0, 2, 4):
        reached(personas.coord_a, datetime.date(2026, 3, 10 + days), days)
    reached(personas.coord_b, datetime.date(2026, 3, 3), 5)
    return (send(personas.coord_a, personas.cell_a, ["partners", "mobile_team"]),
            send(personas.coord_b, personas.cell_b, ["mobile_team", "families"]))


def test_the_months_delays_are_frozen_as_histograms_of_days(personas, march):  # noqa: F811
    reached(personas.coord_a, datetime.date(2026, 3, 2), 3)
    reached(personas.coord_a, datetime.date(2026, 3, 31), 0)
    reached(personas.coord_a, datetime.date(2026, 2, 20), 12)  # reached on 4 March: a step of March
    reached(personas.coord_a, datetime.date(2026, 3, 25), 7)  # reached on 1 April: not March's
    delays = compute(personas.cell_a, MARCH)["delays"]
    assert delays["contact"] == {"0": 1, "3": 1, "12": 1}
    assert delays["care"] == {}  # A's care started in February: not a step of March
    assert delays["closure"] == {"15": 1, "37": 1}  # B, unfounded; E, transferred; G was February's
    assert compute(personas.cell_a, MARCH.next())["delays"]["contact"] == {"7": 1}


def _published(client) -> list:
    """What the national officer reads of March: the page (without its per-request tokens, nor the seconds
    left to the session, which tick between two loads on a busy machine), the CSV, the XLSX's cells."""
    page = client.get(reverse("national:view"), {"mois": "2026-03"}).content.decode()
    page = re.sub(r'(csrfmiddlewaretoken" value|nonce|data-ends-in)="[^"]*"', "", page)
    export = client.get(reverse("national:export", args=["2026-03", "csv"])).content.decode()
    workbook = load_workbook(io.BytesIO(client.get(reverse("national:export", args=["2026-03", "xlsx"])).content))
    return [page, export, [[cell.value for cell in row] for row in workbook.active.iter_rows()]]


def _ones_made_twos(figures):
    if isinstance(figures, dict):
        return {key: value if key == "delays" else _ones_made_twos(value) for key, value in figures.items()}
    return 2 if figures == 1 and not isinstance(figures, bool) else figures


def test_no_page_or_export_of_the_national_view_changes_when_a_count_of_one_becomes_two(client, personas, both_sent):
    client.force_login(personas.national)
    seen = _published(client)
    page = seen[0]
    assert "Du signalement au premier contact réussi avec la famille" in page
    assert "Difficultés rencontrées, par catégorie" in page and "chart-meetings" in page
    # Every count of 1 of the Rhône's report made 2, and a category only it cited cited by the 93 too.
    rhone, seine = both_sent[1], both_sent[0]
    rhone.figures = _ones_made_twos(rhone.figures)
    rhone.save()
    seine.figures["difficulty_categories"].append("Refus ou rupture des familles")
    seine.save()
    assert _published(client) == seen


def test_the_national_officer_reads_medians_over_three_cases_and_no_name(client, personas, march, both_sent):  # noqa: F811
    client.force_login(personas.national)
    page, export, _ = _published(client)
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(export.lstrip("\ufeff")), delimiter=";") if row}
    # The 93: contacts after 4, 2 and 0 days; the Rhône: one, after 5 days; France: 0, 2, 4, 5.
    assert [row for key, row in rows.items() if key.startswith("93")][-1][:1] == ["2"]
    assert [row for key, row in rows.items() if key.startswith("69")][-1][:1] == ["< 3 cas"]
    delays = page.split('id="table-delays"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"France entière</th>\s*<td>3</td>", delays)  # the median of 0, 2, 4 and 5
    difficulties = page.split('id="table-difficulties"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r"<td>([^<]*)</td>", difficulties) == ["0", "&lt; 3", "&lt; 3", "&lt; 3", "0", "0"]
    secrets = [*Person.objects.values_list("last_name", flat=True), *(case.reference for case in Case.objects.all())]
    assert "Aubry" in secrets
    for secret in secrets:
        assert secret not in page and secret not in export and secret.upper() not in page


def test_the_coordinator_ticks_categories_which_the_sending_freezes(client, personas, march, run_queue):  # noqa: F811
    client.force_login(personas.coord_a)
    url = reverse("reports:detail", args=["2026-03"])
    response = client.post(url, {"results": "R", "difficulties": "D", "categories": ["means", "parquet"], "save": ""})
    assert response.status_code == 302
    report = MonthlyReport.objects.get(month=MARCH.first)
    assert report.difficulty_categories == ["parquet", "means"]  # in the list's order
    assert Event.objects.filter(action="report.edit").latest("pk").details["changements"][
        "difficulty_categories"] == {"avant": [], "après": ["parquet", "means"]}
    page = client.get(url).content.decode()
    assert re.search(r'value="means"[^>]*checked', page)
    assert "Absence ou faible implication du parquet, Moyens de la cellule" in page  # in the report's table
    client.post(url, {"results": "R", "difficulties": "D", "categories": ["means", "parquet"], "validate": ""})
    client.post(url, {"results": "R", "difficulties": "D", "categories": ["means", "parquet"], "send": "",
                      "confirm_send": "on"})
    run_queue()
    report.refresh_from_db()
    assert report.status == "sent"
    assert report.figures["difficulty_categories"] == ["Absence ou faible implication du parquet",
                                                       "Moyens de la cellule (personnes, temps, locaux)"]


def test_an_unknown_category_is_refused_and_nothing_saved(client, personas, march):  # noqa: F811
    client.force_login(personas.coord_a)
    url = reverse("reports:detail", args=["2026-03"])
    response = client.post(url, {"results": "Nouveau", "difficulties": "D", "categories": ["weather"], "save": ""})
    assert response.status_code == 400 and "weather" in response.content.decode()
    assert not MonthlyReport.objects.exists()
    draft = reports.edit(personas.coord_a, reports.current(personas.coord_a, personas.cell_a, MARCH),
                         results="R", difficulties="D", categories=["means"])
    with pytest.raises(ActionRefused, match="Catégorie de difficulté inconnue : « weather »"):
        reports.edit(personas.coord_a, draft, results="Autre", difficulties="D", categories=["weather"])
    draft.refresh_from_db()
    assert (draft.results, draft.difficulty_categories) == ("R", ["means"])


def test_a_sent_reports_categories_are_frozen(client, personas, march):  # noqa: F811
    sent = send_march(personas)
    client.force_login(personas.coord_a)
    response = client.post(reverse("reports:detail", args=["2026-03"]),
                           {"results": "R", "difficulties": "D", "categories": ["means"], "save": ""})
    assert response.status_code == 400 and "il est figé" in response.content.decode()
    sent.refresh_from_db()
    assert sent.difficulty_categories == [] and sent.figures["difficulty_categories"] == []
    with time_machine.travel(datetime.datetime(2026, 4, 2, 10, tzinfo=datetime.UTC)):
        with pytest.raises(ActionRefused, match="figé"):
            reports.edit(personas.coord_a, sent, results="R", difficulties="D", categories=["means"])
