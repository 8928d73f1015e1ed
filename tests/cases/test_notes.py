"""Case notes and their attachments, through HTTP as the people concerned."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import Event
from cases import actions
from cases.models import CaseNote, NoteAttachment
from tests.cases.factories import CaseFactory
from tests.organisation.factories import MembershipFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def pdf(name="compte-rendu.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def case(personas):
    return CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)


def post_note(client, user, case, **data):
    client.force_login(user)
    return client.post(reverse("cases:action", args=[case.pk, "note"]), {"visibility": "cellule", **data})


def test_the_referent_adds_a_note_with_a_pdf_stored_outside_the_web_roots(client, personas, case):
    response = post_note(client, personas.member_a, case, text="Rencontre avec la mère.",
                         attachments=[pdf()])
    assert response.status_code == 302
    note = CaseNote.objects.get(case=case)
    file = note.attachments.get()
    path = Path(settings.ATTACHMENTS_ROOT) / file.stored_name[:2] / file.stored_name
    assert path.read_bytes() == PDF and "compte-rendu" not in str(path)
    assert not path.is_relative_to(settings.STATIC_ROOT) and not path.is_relative_to(settings.BASE_DIR / "static")
    assert (file.original_name, file.content_type, file.size) == ("compte-rendu.pdf", "application/pdf", len(PDF))
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Rencontre avec la mère." in page and 'enctype="multipart/form-data"' in page
    assert Event.objects.filter(action="case.note_add").exists()


def notes_for(personas, case):
    holder = MembershipFactory(cell=personas.cell_a).user
    other = MembershipFactory(cell=personas.cell_a).user
    review = case.tasks.open().get()
    review.owner = holder
    review.save()
    notes = {v: actions.add_note(personas.coord_a, case, text=f"Note {v}", visibility=v,
                                 named=[holder] if v == "named" else ()) for v in ("cellule", "referent", "named")}
    return holder, other, notes


@pytest.mark.parametrize("who, seen", [
    ("coord_a", {"cellule", "referent", "named"}), ("member_a", {"cellule", "referent", "named"}),
    ("holder", {"cellule", "named"}), ("other", None), ("coord_b", None),
    ("inspector", {"cellule", "referent", "named"}),
])
def test_each_reader_sees_the_notes_their_visibility_allows(client, personas, case, who, seen):
    holder, other, _ = notes_for(personas, case)
    user = {"holder": holder, "other": other}.get(who) or getattr(personas, who)
    client.force_login(user)
    session = client.session
    session["consultation_motives"] = {str(case.pk): {"motif": "Vérification d'une information transmise"}}
    session.save()
    response = client.get(reverse("cases:detail", args=[case.pk]))
    if seen is None:
        assert response.status_code == 404
        return
    page = response.content.decode()
    assert {v for v in ("cellule", "referent", "named") if f"Note {v}" in page} == seen


def test_the_download_checks_the_note_and_records_the_read(client, personas, case):
    holder, other, _ = notes_for(personas, case)
    note = actions.add_note(personas.coord_a, case, text="Bilan", visibility="referent", attachments=[pdf()])
    url = reverse("cases:attachment", args=[case.pk, note.attachments.get().pk])
    client.force_login(personas.member_a)
    response = client.get(url)
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == ("application/pdf", "nosniff")
    read = Event.objects.filter(action="case.attachment_read").latest("id")
    assert read.details == {"signalement": case.reference, "pièce": note.attachments.get().pk}
    for user in (holder, other, personas.coord_b, personas.member_b):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(personas.member_a)
    assert client.get(reverse("cases:attachment", args=[CaseFactory(coordinator=personas.coord_a).pk,
                                                        note.attachments.get().pk])).status_code == 404


@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("gros.pdf", PDF + b"0" * (1024 * 1024)),
    SimpleUploadedFile("faux.pdf", b"MZ\x90\x00 not a pdf"),
    SimpleUploadedFile("programme.exe", b"MZ\x90\x00\x03"),
    SimpleUploadedFile("vide.pdf", b""),
])
def test_a_bad_file_changes_nothing(client, personas, case, settings, upload):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    before = set(Path(settings.ATTACHMENTS_ROOT).rglob("*"))
    response = post_note(client, personas.member_a, case, text="Avec pièce.", attachments=[pdf("bon.pdf"), upload])
    assert response.status_code == 400
    assert "pièce" in response.content.decode().lower() or "fichier" in response.content.decode()
    assert not CaseNote.objects.exists() and not NoteAttachment.objects.exists()
    assert set(Path(settings.ATTACHMENTS_ROOT).rglob("*")) == before


def test_a_nul_in_a_file_name_is_refused(personas, case):
    # Django's multipart parser already drops it from a posted name: the entry point refuses it for any caller.
    with pytest.raises(ValidationError, match="nom"):
        actions.add_note(personas.coord_a, case, text="N", visibility="cellule", attachments=[pdf("a\x00b.pdf")])
    assert not CaseNote.objects.exists()


def test_a_failure_after_the_files_are_written_removes_them(personas, case, monkeypatch):
    before = set(Path(settings.ATTACHMENTS_ROOT).rglob("*.*")) | set(Path(settings.ATTACHMENTS_ROOT).rglob("*"))
    monkeypatch.setattr("cases.actions.notes.record", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        actions.add_note(personas.coord_a, case, text="N", visibility="cellule", attachments=[pdf()])
    assert not NoteAttachment.objects.exists()
    assert {p for p in Path(settings.ATTACHMENTS_ROOT).rglob("*") if p.is_file()} == {
        p for p in before if p.is_file()}


def test_named_members_must_be_active_members_of_the_cellule(client, personas, case):
    response = post_note(client, personas.coord_a, case, text="N", visibility="named", named=[personas.member_b.pk])
    assert response.status_code == 400 and not CaseNote.objects.exists()
    response = post_note(client, personas.member_a, case, text="N", visibility="named")
    assert response.status_code == 400 and "Désignez" in response.content.decode()


def test_a_closed_case_and_the_inspector_are_refused(client, personas):
    closed = CaseFactory(coordinator=personas.coord_a, closed=True)
    assert post_note(client, personas.coord_a, closed, text="N").status_code == 302
    assert not CaseNote.objects.exists()
    assert post_note(client, personas.inspector, closed, text="N").status_code == 403


def test_the_blank_note_form_is_kept_per_members_and_shows_a_member_who_joins(client, personas, case):
    """The case page's blank note form is kept per worker for the members it shows (``NoteForm.render``): a
    member who joins the cellule is offered at the next page; a form sent back with its errors is its own."""
    def note_form():
        client.force_login(personas.coord_a)
        page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
        start = page.index('<legend class="fr-fieldset__legend">Ajouter une note')
        return page[start:page.index("Enregistrer la note")]
    first = note_form()
    assert note_form() == first
    joined = MembershipFactory(cell=personas.cell_a, user__first_name="Zélie", user__last_name="Nouvelle").user
    assert "Zélie Nouvelle" not in first and "Zélie Nouvelle" in note_form()
    assert f'value="{joined.pk}"' in note_form()
    refused = post_note(client, personas.member_a, case, text="")
    assert refused.status_code == 400 and "fr-error-text" in refused.content.decode()
