"""The series over twelve months on the coordinator's dashboard (from the live data) and on the
national view (from the reports sent, small counts suppressed), drawn by @gouvfr/dsfr-chart from
their attributes, each with its table; in a fixed number of queries."""

import datetime
import html
import json
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import actions
from reporting.figures import Month, compute
from reporting.models import MonthlyReport
from tests.cases.factories import CaseFactory, bilan
from tests.organisation.factories import InstitutionFactory

DASHBOARD, NATIONAL = reverse("reports:dashboard"), reverse("national:view")
TODAY = datetime.datetime(2026, 3, 16, 10, tzinfo=datetime.UTC)
MARCH_ENDED = time_machine.travel(datetime.datetime(2026, 4, 2, 10, tzinfo=datetime.UTC), tick=False)  # reported


@pytest.fixture(autouse=True)
def _mid_march():
    with time_machine.travel(TODAY, tick=False):
        yield


def followed(personas, received: datetime.date, contacted: int | None = None, cared: int | None = None,
             closed: str | None = None):
    """A case of the 93 received on ``received``, its family reached ``contacted`` days later, its care
    started ``cared`` days later, closed today with every objective ``closed`` if given."""
    coordinator = personas.coord_a
    case = CaseFactory(coordinator=coordinator, received_on=received)
    if contacted is not None:
        actions.record_family_contact(coordinator, case, on=received + datetime.timedelta(days=contacted),
                                      channel="phone", outcome="reached")
    if cared is not None:
        actions.assign(coordinator, case, referent=personas.member_a)
        actions.start_care(personas.member_a, case, measure={
            "modality": "social", "beneficiary": "young_person", "institution": InstitutionFactory(partner=True),
            "starts_on": received + datetime.timedelta(days=cared), "adhesion": "young_person"},
            objective={"domain": "schooling", "text": "Reprendre une scolarité régulière."})
    if closed:
        actions.close(coordinator, case, reason="completed", note="Fin du suivi.", measures_outcome="completed",
                      bilan=bilan(case, closed))
    return case


def _table(page: str, key: str) -> dict[str, list[str]]:
    """A chart's table: {month: [cells]}."""
    table = page.split(f'id="{key}-data"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    cells = [[re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
             for row in rows]
    return {row[0]: row[1:] for row in cells[1:]}


def _drawn(page: str, key: str) -> tuple[list, list, list]:
    """What the chart element is given: its months, series values and series names."""
    element = page.split(f'id="{key}"', 1)[1].split("-chart>", 1)[0]
    attributes = dict(re.findall(r' (x|y|name)="([^"]*)"', element))
    return tuple(json.loads(html.unescape(attributes[name])) for name in ("x", "y", "name"))


def test_the_dashboard_draws_the_cellules_twelve_months(client, personas):
    followed(personas, datetime.date(2026, 1, 10), contacted=4, cared=10, closed="reached")
    followed(personas, datetime.date(2026, 1, 20), contacted=2, cared=8, closed="not_reached")
    followed(personas, datetime.date(2026, 3, 2), contacted=1)
    followed(personas, datetime.date(2025, 3, 31))  # thirteen months ago: out of the window
    CaseFactory(coordinator=personas.coord_b, received_on=datetime.date(2026, 3, 1))  # the Rhône's
    client.force_login(personas.coord_a)
    page = client.get(DASHBOARD).content.decode()
    months, values, names = _drawn(page, "chart-intake")
    assert months == [[f"{m:02d}/2025" for m in range(4, 13)] + ["01/2026", "02/2026", "03/2026"]]
    assert values == [[0] * 9 + [2, 0, 1]] and names == ["Signalements reçus"]
    assert _table(page, "chart-intake")["janvier 2026"] == ["2"]
    # Delays: the medians of January (4 and 2 days to contact, 10 and 8 to care), March's not cared yet.
    assert _drawn(page, "chart-delays")[1] == [[None] * 9 + [3, None, 1], [None] * 9 + [9, None, None]]
    delays = _table(page, "chart-delays")
    assert delays["janvier 2026"] == ["3", "9"] and delays["mars 2026"] == ["1", "—"]
    # Closures of March by the bilan's outcome: one plan reached, one not.
    outcomes = _table(page, "chart-outcomes")
    assert outcomes["mars 2026"] == ["1", "0", "1", "0"] and outcomes["février 2026"] == ["0"] * 4
    assert _drawn(page, "chart-outcomes")[2] == ["Objectifs atteints", "Objectifs en partie atteints",
                                                 "Objectifs non atteints", "Sans objectif au plan"]
    # The component is the vendored one, loaded as a file (no inline script under the CSP).
    assert "reporting/dsfr-chart/DSFRChart.js" in page and "<script>" not in page


def test_the_dashboards_queries_stay_flat_as_months_and_cases_grow(client, personas):
    client.force_login(personas.coord_a)
    client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as before:
        client.get(DASHBOARD)
    for month in (4, 7, 11):
        followed(personas, datetime.date(2025, month, 3), contacted=1, cared=3, closed="partly")
        followed(personas, datetime.date(2026, 2, month), contacted=5)
    with CaptureQueriesContext(connection) as after:
        page = client.get(DASHBOARD).content.decode()
    assert _table(page, "chart-intake")["février 2026"] == ["3"]
    assert len(after.captured_queries) == len(before.captured_queries)


def sent(cell, month: datetime.date, young: int, families: int = 0, new: int = 0, reached: int = 0) -> None:
    """A report of ``cell`` sent for ``month`` with these figures (the others as computed: zeros)."""
    figures = compute(cell, Month(month))
    figures.update(young_people_followed=young, families_followed=families)
    figures["new_cases_by_source"]["CNAPR (numéro vert)"] = new
    figures["results"]["closures_by_outcome"]["Objectifs atteints"] = reached
    MonthlyReport.objects.create(cell=cell, month=month, status=MonthlyReport.Status.SENT, figures=figures)


def test_the_national_charts_never_give_back_a_suppressed_count(client, personas):
    february, march = datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)
    sent(personas.cell_a, february, young=10, families=4, new=5, reached=3)
    sent(personas.cell_b, february, young=7, families=3, new=6, reached=0)
    sent(personas.cell_a, march, young=10, families=4, new=5, reached=3)
    sent(personas.cell_b, march, young=2, families=1, new=1, reached=1)  # all suppressed: "< 3"
    with MARCH_ENDED:
        client.force_login(personas.national)
        page = client.get(NATIONAL, {"mois": "2026-03"}).content.decode()
    _, values, names = _drawn(page, "chart-followed")
    assert names == ["Jeunes suivis (au moins)", "Familles suivies (au moins)"]
    # February exact (17, 7); March drawn at the least the published range allows (11, 5), never 12 or 5+1.
    assert values == [[None] * 10 + [17, 11], [None] * 10 + [7, 5]]
    followed_table = _table(page, "chart-followed")
    assert followed_table["février 2026"] == ["17", "7"] and followed_table["mars 2026"] == ["11 à 12", "5 à 6"]
    assert followed_table["janvier 2026"] == ["—", "—"]  # nothing sent yet: no zero drawn
    assert _table(page, "chart-intake")["mars 2026"] == ["6 à 7"] and _drawn(page, "chart-intake")[1][0][-1] == 6
    assert _table(page, "chart-outcomes")["mars 2026"][0] == "4 à 5"
    assert _drawn(page, "chart-outcomes")[1][0][-2:] == [3, 4]
    for key in ("chart-followed", "chart-intake", "chart-outcomes"):
        assert all("12" != cell and "< 3" != cell for cells in _table(page, key).values() for cell in cells)


def test_the_national_charts_cost_one_query_whatever_the_months(client, personas):
    client.force_login(personas.national)
    client.get(NATIONAL, {"mois": "2026-02"})
    with CaptureQueriesContext(connection) as before:
        client.get(NATIONAL, {"mois": "2026-02"})
    for month in range(1, 13):
        sent(personas.cell_a, datetime.date(2025, month, 1), young=month)
        sent(personas.cell_b, datetime.date(2025, month, 1), young=month + 3)
    with CaptureQueriesContext(connection) as after:
        page = client.get(NATIONAL, {"mois": "2026-02"}).content.decode()
    assert _table(page, "chart-followed")["décembre 2025"] == ["27", "0"]
    assert len(after.captured_queries) == len(before.captured_queries)
