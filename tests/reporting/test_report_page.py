"""The report's page when something is refused (issue 28, point 5): one error summary on top of the
page, before the long table, says what to correct (the confirmation box, a refusal of the entry
point), and the texts typed stay on the page, even when the report was sent meanwhile."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from reporting import actions as reports
from reporting.figures import Month
from reporting.models import MonthlyReport

URL = reverse("reports:detail", args=["2026-03"])
TYPED = {"results": "Trois familles rencontrées.\nUne orientation vers la PJJ.", "difficulties": "Délais du CMP."}


@pytest.fixture(autouse=True)
def _early_april():
    with time_machine.travel(datetime.datetime(2026, 4, 6, 8, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def validated(personas):
    report = reports.current(personas.coord_a, personas.cell_a, Month.parse("2026-03"))
    return reports.validate(personas.coord_a, reports.edit(personas.coord_a, report, results="Validés.",
                                                           difficulties=""))


def summary(html: str) -> str:
    """The error summary's text; it comes before the report's table."""
    assert html.count("data-error-summary") == 1
    assert html.index("data-error-summary") < html.index('id="report-figures"')
    block = html.split("data-error-summary", 1)[1].split("</div>", 1)[0]
    return re.sub(r"<[^>]+>|\s+", " ", block).replace("&#x27;", "'")


def textarea(html: str, name: str) -> str:
    return html.split(f'name="{name}"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0].replace("&#x27;", "'")


def test_sending_without_the_confirmation_is_summed_up_on_top_with_the_texts_kept(client, personas, validated):
    client.force_login(personas.coord_a)
    refused = client.post(URL, {**TYPED, "send": ""})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert 'href="#id_confirm_send"' in html and "Cochez la case pour confirmer l'envoi au ministère" in summary(html)
    assert textarea(html, "results").strip() == TYPED["results"]
    assert MonthlyReport.objects.get().status == "validated"


def test_a_refusal_of_the_entry_point_is_summed_up_on_top_with_the_texts_kept(client, personas, validated):
    client.force_login(personas.coord_a)
    refused = client.post(URL, {**TYPED, "send": "", "confirm_send": "on"})  # texts changed since the validation
    html = refused.content.decode()
    assert "Les textes ont été modifiés depuis la validation" in summary(html)
    assert textarea(html, "difficulties").strip() == TYPED["difficulties"]
    not_ended = client.post(reverse("reports:detail", args=["2026-04"]), {**TYPED, "validate": ""}).content.decode()
    assert "Le mois d'avril 2026 n'est pas terminé" in summary(not_ended)
    assert textarea(not_ended, "results").strip() == TYPED["results"]


def test_texts_typed_on_a_report_sent_meanwhile_are_given_back(client, personas, validated):
    client.force_login(personas.coord_a)
    client.get(URL)  # the page is open...
    reports.send(personas.coord_a, validated)  # ...when another coordinator sends the report
    refused = client.post(URL, {**TYPED, "validate": ""})
    html = refused.content.decode()
    assert refused.status_code == 400 and "en cours d'envoi" in summary(html)
    unsaved = html.split('id="unsaved-texts"', 1)[1].split("</div>", 1)[0]
    assert "Trois familles rencontrées.<br>Une orientation vers la PJJ." in unsaved and "Délais du CMP." in unsaved
    assert MonthlyReport.objects.get().results == "Validés."
