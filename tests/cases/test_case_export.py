"""A case's file as a PDF for a transfer or the parquet: the parts the coordinator chooses, only what
the exporter may read, a mark of who exported it and when on every page, the export recorded with the
file's SHA-256; refused to whoever is not a coordinator of the case's département."""

import ctypes.util
import hashlib
import io

import pypdf
import pytest
from django.urls import reverse

from audit.models import Event
from cases import actions
from cases.task_kinds import CONTACT_FAMILY
from cases.views.export import _context
from tests.cases.factories import CaseFactory
from tests.conftest import forget_cached_rights
from workflows import tasks

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

needs_pango = pytest.mark.skipif(ctypes.util.find_library("pangoft2-1.0") is None,
                                 reason="WeasyPrint needs the system's Pango (.ci/run installs it)")
ALL = ["identite", "famille", "faits", "accompagnement", "notes", "historique"]


@pytest.fixture
def case(personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True,
                       facts="Propos de rupture rapportés par le lycée Jean-Jaurès.")
    actions.add_note(personas.coord_a, case, text="Note pour toute la cellule.", visibility="cellule")
    actions.add_note(personas.coord_a, case, text="Note réservée au référent.", visibility="referent")
    # A long note, so that the file runs over several pages and every page is seen to carry the mark.
    actions.add_note(personas.member_a, case, text="Entretien au lycée. " * 90, visibility="cellule")
    return case


def url(case) -> str:
    return reverse("cases:export", args=[case.pk])


def pages(response) -> list[str]:
    assert response["Content-Type"] == "application/pdf"
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages]


@needs_pango
def test_the_pdf_holds_the_chosen_parts_the_mark_on_every_page_and_its_hash_in_the_trail(client, personas, case):
    client.force_login(personas.coord_a)
    response = client.post(url(case), {"sections": ALL})
    assert response.status_code == 200 and f"dossier-{case.reference}-" in response["Content-Disposition"]
    texts = pages(response)
    assert len(texts) > 1
    mark = f"Exporté par {personas.coord_a.get_full_name()} le"
    assert all(mark in text for text in texts)
    text = "\n".join(texts)
    for expected in (case.reference, case.person.last_name, "Durand", "lycée Jean-Jaurès", "Reprendre une scolarité",
                     "Note pour toute la cellule.", "Note réservée au référent.", "Signalement enregistré"):
        assert expected in text, expected
    (export,) = Event.objects.filter(action="case.export_pdf")
    assert export.details["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert (export.actor, export.departement, export.object_id) == (personas.coord_a, "93", str(case.pk))
    assert export.details["parties"][0] == "Identité du jeune" and len(export.details["parties"]) == 6


@needs_pango
def test_only_the_chosen_parts(client, personas, case):
    client.force_login(personas.coord_a)
    text = "\n".join(pages(client.post(url(case), {"sections": ["faits"]})))
    assert "lycée Jean-Jaurès" in text and case.reference in text
    for absent in ("Durand", "Note pour toute la cellule.", "Reprendre une scolarité", "Signalement enregistré"):
        assert absent not in text, absent
    assert Event.objects.get(action="case.export_pdf").details["parties"] == ["Faits signalés"]


def test_the_notes_are_those_the_exporter_may_read(personas, case):
    """The notes go through ``cases.rules.sees_note``: a coordinator reads them all; a member holding
    none of the case's tasks would get the cellule's only (the export itself is the coordinators')."""
    assert len(_context(personas.coord_a, case, ["notes"])["notes"]) == 3
    other = CaseFactory(coordinator=personas.coord_a)  # a member who only took its family contact
    personas.member_a.memberships.update(contacts_families=True)
    forget_cached_rights(personas)
    tasks.claim(personas.member_a, other.tasks.get(flow_task_name=CONTACT_FAMILY))
    actions.add_note(personas.coord_a, other, text="Note réservée.", visibility="referent")
    actions.add_note(personas.coord_a, other, text="Note commune.", visibility="cellule")
    assert [note.text for note in _context(personas.member_a, other, ["notes"])["notes"]] == ["Note commune."]


def test_the_page_offers_the_parts_and_records_the_read(client, personas, case):
    client.force_login(personas.coord_a)
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'href="{url(case)}">Exporter le dossier en PDF</a>' in detail
    page = client.get(url(case)).content.decode()
    assert page.count('type="checkbox"') == 6 and page.count("checked") == 6
    assert Event.objects.filter(action="case.view", details__page="export-pdf").count() == 1
    assert client.get(reverse("cases:action", args=[case.pk, "exporter-pdf"])).url == url(case)


def test_nothing_chosen_is_a_clear_error_and_no_export(client, personas, case):
    client.force_login(personas.coord_a)
    response = client.post(url(case), {"sections": []})
    assert response.status_code == 400 and "Choisissez au moins une partie" in response.content.decode()
    response = client.post(url(case), {"sections": ["identite", "inconnue"]})
    assert response.status_code == 400
    assert not Event.objects.filter(action="case.export_pdf").exists()


def test_without_pango_the_export_says_what_is_missing_and_records_nothing(client, personas, case, monkeypatch):
    def missing(name):
        raise OSError("cannot load library 'libpangoft2-1.0.so.0'")

    monkeypatch.setattr("ui.pdf.import_module", missing)
    client.force_login(personas.coord_a)
    response = client.post(url(case), {"sections": ["identite"]})
    assert response.status_code == 400 and "la bibliothèque système Pango manque" in response.content.decode()
    assert not Event.objects.filter(action="case.export_pdf").exists()


@pytest.mark.parametrize(("name", "status"), [
    ("coord_b", 404),  # another département: the case does not exist for them
    ("member_a", 403),  # its référent reads it, but the file leaves the cellule by its coordinators
    ("inspector", 403),  # reviews it under the mandate, exports nothing
    ("national", 404), ("admin", 404), ("mobile", 404), ("outsider", 404),
])
def test_who_else_is_refused(client, personas, case, name, status):
    client.force_login(getattr(personas, name))
    assert client.post(url(case), {"sections": ALL}).status_code == status
    assert client.get(url(case)).status_code == status
    assert not Event.objects.filter(action="case.export_pdf").exists()
    if status == 403:  # no button either
        assert "Exporter le dossier en PDF" not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_a_partner_is_refused(client, personas, case):
    from tests.organisation.factories import MembershipFactory

    partner = MembershipFactory(cell=personas.cell_a, institution=case.care_measures.get().institution).user
    client.force_login(partner)
    assert client.post(url(case), {"sections": ALL}).status_code == 404
    assert not Event.objects.filter(action="case.export_pdf").exists()
