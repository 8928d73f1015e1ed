"""The monthly report of March 2026, on a hand-built data set where every figure is known.

Edge cases: a case closed in the month, a measure spanning months, a case closed before the month
and reopened after it, a case transferred in the month, a family followed through a support group
only, a case and a meeting at 23:30 on the last day of the month (months are counted in Paris).
"""

import csv
import datetime
import io
import zoneinfo
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases import actions
from cellule import actions as cellule
from cellule.models import InterviewRequest, SupportGroup
from mobile_team import actions as mobile
from organisation.errors import ActionRefused
from outbox.queue import run_due
from reporting import actions as reports
from reporting.exports import title
from reporting.figures import Month, compute
from reporting.models import MonthlyReport
from tests.cases.factories import CaseFactory, person_data, transferred
from tests.organisation.factories import InstitutionFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
MARCH = Month(datetime.date(2026, 3, 1))


def on(*args):
    """Travel to a moment, in Paris time."""
    return time_machine.travel(datetime.datetime(*args, tzinfo=PARIS), tick=False)


def make_case(personas, day: tuple, **kwargs):
    with on(*day, 10):
        return CaseFactory(coordinator=personas.coord_a, referent=personas.member_a,
                           received_on=datetime.date(*day), **kwargs)


@pytest.fixture
def march(personas):
    """The data set; returns the cases by name."""
    p, institution = personas, InstitutionFactory(name="Association Sauvegarde", category="association",
                                                             partner=True)
    a = make_case(p, (2026, 2, 10), in_care=True, person=person_data(last_name="Aubry"))  # measure from 10 Feb
    with on(2026, 2, 15, 9):
        actions.add_care_measure(p.member_a, a, modality="family_support", beneficiary="family",
                                 institution=institution, starts_on=datetime.date(2026, 2, 15), adhesion="family")
    with on(2026, 3, 15, 9):
        mobile.request_mobile_team(p.coord_a, a, motive="Avis", expected="advice", urgency="normal", summary="x")
    b = make_case(p, (2026, 3, 5), source="ems")
    with on(2026, 3, 12, 18):
        group = SupportGroup.objects.create(cell=p.cell_a, name="Groupe de parole des parents", institution=institution)
        cellule.record_support_session(p.coord_a, group, on=datetime.date(2026, 3, 12), families=[b])
    with on(2026, 3, 20, 9):
        actions.close(p.coord_a, b, reason="unfounded", note="Hors champ.")
    c = make_case(p, (2026, 1, 10))
    with on(2026, 2, 20, 9):
        actions.close(p.coord_a, c, reason="left", note="Départ.")
    with on(2026, 4, 2, 9):
        actions.reopen(p.coord_a, c, reason="Retour.")
    with on(2026, 3, 31, 23, 30):
        d = CaseFactory(coordinator=p.coord_a, received_on=datetime.date(2026, 3, 31))
        cellule.schedule_meeting(p.coord_a, p.cell_a, held_at=datetime.datetime(2026, 3, 31, 23, 30, tzinfo=PARIS))
    with on(2026, 4, 1, 0, 30):
        cellule.schedule_meeting(p.coord_a, p.cell_a, held_at=datetime.datetime(2026, 4, 1, 0, 30, tzinfo=PARIS))
    e = make_case(p, (2026, 2, 1))
    with on(2026, 3, 10, 9):
        transferred(p, e)
    g = make_case(p, (2026, 1, 5))
    with on(2026, 2, 1, 9):
        actions.close(p.coord_a, g, reason="completed", note="Fin.")
    with on(2026, 3, 25, 9):
        cellule.record_interview_request(p.coord_a, a, with_whom="prefet", requested_by="Mère", channel="letter",
                                         requested_on=datetime.date(2026, 3, 3), status=InterviewRequest.Status.HELD,
                                         held_on=datetime.date(2026, 3, 25))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "g": g}


def test_every_figure_of_march(personas, march):
    figures = compute(personas.cell_a, MARCH)
    assert figures["young_people_followed"] == 4  # A, B, D, E — not C (closed all March), not G
    assert figures["families_followed"] == 2  # A (family measure), B (support group, before its closure)
    assert figures["new_cases_by_source"] == {"CNAPR (numéro vert)": 1, "État-major de sécurité (EMS)": 1, "Autre": 0}
    assert {k: v for k, v in figures["cases_by_state_at_month_end"].items() if v} == {
        "Reçu": 1, "Équipe mobile sollicitée": 1, "Clôturé": 4}
    assert {k: v for k, v in figures["measures_by_modality"].items() if v} == {
        "Accompagnement social": 1, "Soutien à la famille": 1}
    assert {k: v for k, v in figures["closures_by_reason"].items() if v} == {
        "Signalement infondé ou hors champ": 1, "Transféré à un autre département": 1}
    assert figures["meetings_held"] == 1  # 31 March 23:30 in Paris; not 1 April 00:30
    assert figures["mobile_team_requests"]["made"] == 1
    assert figures["interview_requests"] == {"requested": 1, "held": 1}
    assert figures["support_groups"] == {  # B's family, on 12 March, in the association's group
        "sessions": 1, "sessions_by_runner": {"Une association du département": 1,
                                              "La préfecture (la cellule elle-même)": 0},
        "families": 1, "family_attendances": 1, "other_parents": 0, "participants": 1}
    assert figures["composition"]["total"] == 2  # coord_a and member_a; the former member had left
    assert compute(personas.cell_b, MARCH)["young_people_followed"] == 1  # the transferred case, from 10 March


def test_neighbouring_months_count_their_own_cases(personas, march):
    assert compute(personas.cell_a, MARCH.previous())["young_people_followed"] == 4  # A, C, E, G in February
    assert compute(personas.cell_a, Month(datetime.date(2026, 4, 1)))["young_people_followed"] == 3  # A, C, D


def send_march(personas, results: str = "Deux familles accompagnées.") -> MonthlyReport:
    report = reports.current(personas.coord_a, personas.cell_a, MARCH)
    report = reports.edit(personas.coord_a, report, results=results, difficulties="Délais de l'équipe mobile.")
    reports.validate(personas.coord_a, report)
    report = reports.send(personas.coord_a, report)
    run_due()  # as the worker: the mail server accepts it, the report is sent
    report.refresh_from_db()
    return report


def test_a_sent_report_is_frozen_and_a_correction_is_a_new_version(personas, march, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_march(personas)
    [report_mail] = [message for message in mail.outbox if message.attachments]
    assert sorted(report_mail.to) == sorted(["prevention-radicalisation@interieur.gouv.fr",
                                             "cipd.siat@interieur.gouv.fr", "cnapr-alerte@interieur.gouv.fr"])
    assert [name.rsplit(".", 1)[1] for name, _, _ in report_mail.attachments] == ["csv", "xlsx"]
    assert sent.figures["young_people_followed"] == 4
    make_case(personas, (2026, 3, 20))  # a case registered late, received in March
    assert compute(personas.cell_a, MARCH)["young_people_followed"] == 5
    sent.refresh_from_db()
    assert sent.figures["young_people_followed"] == 4
    with pytest.raises(ActionRefused, match="figé"):
        reports.edit(personas.coord_a, sent, results="x", difficulties="y")
    correction = reports.correct(personas.coord_a, sent)
    assert (correction.version, correction.status, correction.results) == (2, "draft", sent.results)
    assert MonthlyReport.objects.filter(month=MARCH.first).count() == 2


def test_the_ministrys_email_says_what_it_carries_without_a_name(personas, march, django_capture_on_commit_callbacks):
    """Issue 28, point 16: the body said only « Voir les pièces jointes »; it says the cellule, the month and
    version, the key figures (small counts suppressed, as nationally), the files joined and where to read
    them; a reply reaches the coordinator who sent it. No young person's or relative's name, no reference."""
    with django_capture_on_commit_callbacks(execute=True):
        send_march(personas)
    [report_mail] = [message for message in mail.outbox if message.attachments]
    assert "Voir les pièces jointes" not in report_mail.body and "Jeunes suivis\u00a0: 4" in report_mail.body
    body = report_mail.body.replace("\u00a0", " ")
    for said in ("cellule de suivi du département 93 (Seine-Saint-Denis)",
                 "compte rendu mensuel de mars 2026 (version 1)",
                 "Jeunes suivis : 4", "Familles suivies : < 3", "Nouveaux signalements : < 3", "Réunions tenues : 1",
                 "compte-rendu-93-2026-03-v1.csv", "compte-rendu-93-2026-03-v1.xlsx",
                 "/national/?mois=2026-03"):
        assert said in body, said
    for case in march.values():
        assert case.reference not in body and case.person.last_name not in body
    assert personas.coord_a.get_full_name() not in body and report_mail.reply_to == [personas.coord_a.email]


def test_reports_belong_to_their_cellules_coordinators(personas, march):
    with pytest.raises(reports.policy.AccessDenied):
        reports.current(personas.member_a, personas.cell_a, MARCH)
    with pytest.raises(reports.policy.AccessDenied):
        reports.current(personas.coord_b, personas.cell_a, MARCH)


def test_the_report_page_edits_validates_and_sends(client, personas, march, run_queue):
    client.force_login(personas.coord_a)
    url = reverse("reports:detail", args=["2026-03"])
    page = client.get(url).content.decode()
    assert "Jeunes" in page and "mars 2026" in page
    too_long = client.post(url, {"save": "", "results": "x" * 5001, "difficulties": ""})
    assert too_long.status_code == 400 and "au plus 5000 caractères" in too_long.content.decode()
    assert not MonthlyReport.objects.exists()
    client.post(url, {"save": "", "results": "Bons résultats", "difficulties": ""})
    client.post(url, {"validate": ""})
    client.post(url, {"send": "", "confirm_send": "on"})
    assert MonthlyReport.objects.get().status == "sending"  # queued: sent once the mail server accepts it
    assert "Envoi en cours" in client.get(url).content.decode()
    run_queue()  # the report's e-mail, and those of the tasks the cases gave
    assert [m.subject for m in mail.outbox if m.attachments] == [title(MonthlyReport.objects.get().figures)]
    assert MonthlyReport.objects.get().status == "sent"
    assert client.get(reverse("reports:detail", args=["2026-13"])).status_code == 404


def test_exports_escape_formulas(client, personas, march):
    send_march(personas, results='=HYPERLINK("http://exemple.invalid")')
    client.force_login(personas.coord_a)
    csv_text = client.get(reverse("reports:export", args=["2026-03", "csv"])).content.decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(csv_text), delimiter=";"))
    assert rows[0][0].startswith("Compte rendu mensuel de la cellule de suivi — 93 (Seine-Saint-Denis) — mars 2026")
    assert ["Résultats obtenus", "", "\'=HYPERLINK(\"http://exemple.invalid\")"] in rows
    book = load_workbook(io.BytesIO(client.get(reverse("reports:export", args=["2026-03", "xlsx"])).content))
    values = [cell.value for row in book.active.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert not any(value.startswith("=") for value in values)
    assert client.get(reverse("reports:export", args=["2026-03", "pdf"])).status_code == 404


def test_the_national_view_shows_aggregates_only_with_small_counts_suppressed(client, personas, march):
    send_march(personas)
    client.force_login(personas.national)
    names = ["Aubry", "AUBRY", "Durand", "DURAND", "Lucas", "Marie", personas.member_a.last_name]
    references = [case.reference for case in march.values()]
    pages = [client.get(reverse("national:view"), {"mois": "2026-03"}),
             client.get(reverse("national:export", args=["2026-03", "csv"])),
             client.get(reverse("national:export", args=["2026-03", "xlsx"]))]
    assert all(page.status_code == 200 for page in pages)
    html = pages[0].content.decode()
    for text in names + references:
        assert text not in html and text not in pages[1].content.decode(), text
    assert '<h2 class="fr-callout__title" id="total-young">4</h2>' in html
    assert '<h2 class="fr-callout__title" id="total-families">1 à 2</h2>' in html  # 2 families, suppressed
    assert "<line-chart" in html and "<svg" not in html  # the State's chart component, no hand-drawn SVG
    not_reported = html.split('id="not-reported">', 1)[1].split("</p>", 1)[0]
    assert "93" not in not_reported and "69" in not_reported
    for name in ("cases:list", "inspection:search"):
        assert client.get(reverse(name)).status_code == 403


def run(*args) -> str:
    out = StringIO()
    call_command("monthly_report", *args, stdout=out)
    return out.getvalue()


def test_the_command(personas, march, tmp_path):
    assert "Situations suivies dans le mois;Jeunes;4" in run("--month", "2026-03", "--departement", "93")
    target = tmp_path / "national.xlsx"
    run("--month", "2026-03", "--format", "xlsx", "--output", str(target))
    assert load_workbook(target).active["A1"].value.startswith("Consolidation nationale")
    for args, message in [(["--month", "2026-3x"], "Mois invalide"), (["--month", "2026-13"], "Mois invalide"),
                          (["--month", "2026-03", "--departement", "2A"], "Département inconnu")]:
        with pytest.raises(CommandError, match=message) as error:
            run(*args)
        assert error.value.returncode == 2


def test_no_page_the_national_role_reaches_names_anyone(client, personas, march):
    """Walk every URL as the national role: whatever answers 200 holds no name and no reference."""
    from cases.models import Person, Relative
    from tests.urls import walk

    send_march(personas)
    client.force_login(personas.national)
    secrets = {p.last_name.lower() for p in Person.objects.all()} | {
        r.first_name.lower() for r in Relative.objects.all()} | {c.reference.lower() for c in march.values()}
    reached = 0
    for path, name in walk():
        if name in ("logout", None) or (name or "").startswith("admin:"):
            continue
        path = path.replace("/93/", "/2026-03/") if name == "national:export" else path
        response = client.get(path)
        if response.status_code == 200:
            reached += 1
            body = response.content.decode(errors="ignore").lower()
            assert not any(secret in body for secret in secrets), path
    assert reached >= 3  # home, the national view and its exports at least


def test_a_month_not_ended_is_neither_validated_nor_sent(client, personas):
    client.force_login(personas.coord_a)
    this_month = timezone.localdate().strftime("%Y-%m")
    url = reverse("reports:detail", args=[this_month])
    client.post(url, {"results": "R", "difficulties": "D", "save": ""})
    response = client.post(url, {"results": "R", "difficulties": "D", "validate": ""}, follow=True)
    assert "n&#x27;est pas terminé" in response.content.decode()
    assert MonthlyReport.objects.get(month=timezone.localdate().replace(day=1)).status == "draft"


def test_texts_typed_are_validated_with_the_report_and_never_sent_unsaved(client, personas, march):
    client.force_login(personas.coord_a)
    url = reverse("reports:detail", args=["2026-03"])
    client.post(url, {"results": "Résultats tapés", "difficulties": "Difficultés tapées", "validate": ""})
    report = MonthlyReport.objects.get(month=datetime.date(2026, 3, 1))
    assert (report.status, report.results) == ("validated", "Résultats tapés")  # not lost
    refused = client.post(url, {"results": "Changés après la validation", "difficulties": "Difficultés tapées",
                                "send": "", "confirm_send": "on"}, follow=True)
    assert "Rien n&#x27;a été envoyé" in refused.content.decode()
    report.refresh_from_db()
    assert report.status == "validated" and report.results == "Résultats tapés"


def test_a_report_is_not_sent_with_texts_refused(client, personas, march):
    client.force_login(personas.coord_a)
    url = reverse("reports:detail", args=["2026-03"])
    client.post(url, {"results": "R", "difficulties": "D", "validate": ""})
    response = client.post(url, {"results": "x" * 5001, "difficulties": "D", "send": ""})
    assert response.status_code == 400
    assert MonthlyReport.objects.get(month=datetime.date(2026, 3, 1)).status == "validated"


def test_sending_asks_for_a_confirmation_the_server_checks(client, personas, march, settings, run_queue):
    settings.REPORT_RECIPIENTS = ["cipdr@exemple.invalid"]
    client.force_login(personas.coord_a)
    url = reverse("reports:detail", args=["2026-03"])
    client.post(url, {"results": "R", "difficulties": "D", "validate": ""})
    page = client.get(url).content.decode()
    # What will be sent, to whom, and a box nobody has ticked yet.
    assert "cipdr@exemple.invalid" in page and 'name="confirm_send"' in page and "checked" not in page
    refused = client.post(url, {"results": "R", "difficulties": "D", "send": ""})
    assert refused.status_code == 400 and "Cochez la case pour confirmer l&#x27;envoi" in refused.content.decode()
    assert MonthlyReport.objects.get(month=datetime.date(2026, 3, 1)).status == "validated" and not mail.outbox
    client.post(url, {"results": "R", "difficulties": "D", "send": "", "confirm_send": "on"})
    run_queue()
    assert MonthlyReport.objects.get(month=datetime.date(2026, 3, 1)).status == "sent"
