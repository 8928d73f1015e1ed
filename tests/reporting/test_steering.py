"""The national view's steering tables (issue 29, point 6): per département and for the whole country, from
the reports sent, with no published combination — cells, rows, columns, grand total, other tables, other
months, charts — that depends on whether a suppressed count is 1 or 2, and no median over fewer than three
cases."""

import csv
import datetime
import io

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from reporting.delays import STEPS, TOO_FEW
from reporting.figures import Month
from reporting.steering import medians, publish
from reporting.trends import _national_series
from tests.reporting.test_monthly_report import march, send_march  # noqa: F401

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

COUNT = st.integers(0, 30) | st.integers(1, 2)
TABLE = st.dictionaries(st.sampled_from(["93", "69", "13", "2A", "988"]),
                        st.fixed_dictionaries({c: COUNT for c in ("Suivi éducatif", "Soutien psychologique",
                                                                  "Insertion", "Équipe mobile")}), min_size=1)


@given(TABLE, st.data(), st.booleans())
def test_no_published_number_depends_on_a_suppressed_counts_value(counts, data, additive):
    seen = publish("t", "Tableau", counts, additive=additive)
    # Every suppressed count given another value in {1, 2}, all at once, in any combination.
    other = {d: {c: data.draw(st.integers(1, 2)) if 1 <= n <= 2 else n for c, n in row.items()}
             for d, row in counts.items()}
    assert publish("t", "Tableau", other, additive=additive) == seen


@given(TABLE)
def test_every_total_holds_the_true_sum(counts):
    table = publish("t", "Tableau", counts)
    for (departement, _, shown), row in zip(table.rows, counts.values(), strict=True):
        least, most = (int(n) for n in (shown.split(" à ") * 2)[:2])
        assert least <= sum(row.values()) <= most, departement


def test_the_national_view_and_its_export_give_the_steering_tables_without_a_name(client, personas, march):  # noqa: F811
    send_march(personas)
    client.force_login(personas.national)
    page = client.get(reverse("national:view"), {"mois": "2026-03"}).content.decode()
    for title in ("Fonctionnement et situations suivies", "Composition : membres par catégorie d'institution",
                  "Orientations et modalités de prise en charge engagées", "Clôtures par motif"):
        assert title.replace("'", "&#x27;") in page
    steering = page.split('id="steering"')[1].split('id="consolidated-title"')[0]
    assert "93 — Seine-Saint-Denis" in steering and "France entière" in steering
    assert "&lt; 3" in steering  # March's two families
    assert "Aubry" not in page and "Durand" not in page
    export = client.get(reverse("national:export", args=["2026-03", "csv"])).content.decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(export), delimiter=";"))
    assert ["Orientations et modalités de prise en charge engagées"] in rows
    assert any(row and row[0] == "France entière" for row in rows)


MONTHS = [Month(datetime.date(2026, month, 1)) for month in (1, 2, 3)]
SOURCES = ("CNAPR (numéro vert)", "État-major de sécurité (EMS)", "Autre")
REPORTS = st.dictionaries(st.tuples(st.sampled_from(["93", "69", "13"]), st.sampled_from(MONTHS)),
                          st.fixed_dictionaries({source: COUNT for source in SOURCES}), min_size=1)


def everything_published(reports: dict) -> tuple:
    """Every month's table of new signalements by origin, and the chart of their national totals over the
    months, as the national view and its exports publish them."""
    tables = [publish("sources", "Origine", {departement: counts for (departement, month), counts in reports.items()
                                             if month == m}) for m in MONTHS]
    sent = {(departement, month.first): {"new_cases_by_source": counts}
            for (departement, month), counts in reports.items()}
    chart = _national_series("Signalements reçus", MONTHS, sent, lambda f: list(f["new_cases_by_source"].values()))
    return tables, chart


@given(REPORTS, st.data())
def test_no_combination_of_tables_months_and_charts_depends_on_a_suppressed_count(reports, data):
    seen = everything_published(reports)
    other = {key: {source: data.draw(st.integers(1, 2)) if 1 <= n <= 2 else n for source, n in counts.items()}
             for key, counts in reports.items()}
    assert everything_published(other) == seen


@given(st.dictionaries(st.sampled_from(["93", "69"]), st.dictionaries(st.sampled_from(["0", "4", "17"]),
                                                                      st.integers(1, 2), max_size=2)),
       st.dictionaries(st.sampled_from(["0", "4", "17"]), st.integers(0, 5)))
def test_a_departements_median_under_three_cases_is_never_published(small, large):
    by_departement = {departement: {"delays": {step: histogram for step, _ in STEPS}}
                      for departement, histogram in {**small, "13": large}.items()}
    table = medians(by_departement)
    for departement, cells, _ in table.rows:
        cases = sum(by_departement[departement]["delays"]["contact"].values())
        assert (cells == [TOO_FEW] * 3) == (cases < 3)
    union = sum(sum(figures["delays"]["contact"].values()) for figures in by_departement.values())
    assert (table.totals == [TOO_FEW] * 3) == (union < 3)
