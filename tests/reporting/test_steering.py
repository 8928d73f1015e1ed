"""The national view's steering tables (issue 29, point 6): per département and for the whole country, from
the reports sent, with no published combination — cells, rows, columns, grand total, other tables, other
months — that depends on whether a suppressed count is 1 or 2."""

import csv
import io

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from reporting.steering import publish
from tests.reporting.test_monthly_report import march, send_march  # noqa: F401

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
