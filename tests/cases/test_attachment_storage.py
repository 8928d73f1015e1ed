"""Attachments on shared storage: with STORAGES["attachments"] (an S3-compatible
bucket in production) every application server writes and reads the same files, through the same
checks; without it, the local directory ATTACHMENTS_ROOT. A write that fails (a full disk) keeps no
file nor row and says so in French; check_consistency names the files no row names."""

import errno
import html
import os
import subprocess
import sys
from pathlib import Path

import pytest
from boto3.exceptions import S3UploadFailedError
from django.conf import settings
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from storages.backends.s3 import S3Storage

from audit.models import Event
from cases import actions, attachments
from cases.models import CaseNote, NoteAttachment
from mobile_team.models import MessageAttachment, RequestMessage
from project import consistency
from tests.cases.factories import CaseFactory
from tests.mobile_team.factories import mobile_request

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def shared(settings):
    settings.STORAGES = {**settings.STORAGES,
                         "attachments": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    return storages["attachments"]


def test_a_shared_storage_holds_the_files_and_the_view_still_checks(client, personas, shared):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    before = set(Path(settings.ATTACHMENTS_ROOT).rglob("*"))
    client.force_login(personas.member_a)
    client.post(reverse("cases:action", args=[case.pk, "note"]),
                {"visibility": "referent", "text": "Note", "attachments": [SimpleUploadedFile("a.pdf", PDF)]})
    file = NoteAttachment.objects.get()
    assert shared.exists(f"{file.stored_name[:2]}/{file.stored_name}")
    assert set(Path(settings.ATTACHMENTS_ROOT).rglob("*")) == before  # nothing on this server's disk
    url = reverse("cases:attachment", args=[case.pk, file.pk])
    assert client.get(url).content == PDF
    client.force_login(personas.coord_b)  # another département: as if it did not exist
    assert client.get(url).status_code == 404
    attachments.remove([file.stored_name])
    client.force_login(personas.member_a)
    assert client.get(url).status_code == 404  # gone from the bucket: 404, never a 500


def test_the_bucket_is_chosen_by_the_settings():
    """ATTACHMENTS_S3_BUCKET selects django-storages' S3 backend, private; ATTACHMENTS_ROOT is then
    not required."""
    code = ("from django.conf import settings; import django; django.setup(); "
            "from cases.attachments import storage; s = storage(); "
            "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.default_acl)")
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "project.settings", "SECRET_KEY": "x" * 50,
           "ALLOWED_HOSTS": "cellule.example", "ATTACHMENTS_S3_BUCKET": "pieces-jointes",
           "ATTACHMENTS_S3_ENDPOINT": "https://s3.exemple.invalid", "ENV_FILE": "/dev/null"}
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True,  # noqa: S603
                            text=True, check=False)
    assert result.stdout.split() == ["S3Storage", "pieces-jointes", "https://s3.exemple.invalid", "private"], (
        result.stderr)


# --- A full disk ---------------------------------------------------------------------------------

class _Filling:
    """A file on a disk that fills up: a write puts half of its bytes down, then fails with ENOSPC."""

    def __init__(self, file) -> None:
        self.file = file

    def write(self, data) -> int:
        self.file.write(data[: len(data) // 2])
        self.file.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self.file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.file.close()


@pytest.fixture
def own_root(settings, tmp_path):
    """A directory of attachments of this test's own, to see every file in it."""
    settings.ATTACHMENTS_ROOT = tmp_path / "pieces-jointes"
    return settings.ATTACHMENTS_ROOT


@pytest.fixture
def full_disk(monkeypatch, own_root):
    """The attachments' disk fills up after ``after`` files were written whole: each next file
    opened for writing in it (Django's storage and ours open them with os.fdopen) fails half-way."""
    def fill(after: int = 0) -> None:
        real, opened = os.fdopen, []

        def fdopen(fd, *args, **kwargs):
            file = real(fd, *args, **kwargs)
            if not os.readlink(f"/proc/self/fd/{fd}").startswith(str(own_root)):
                return file
            opened.append(fd)
            return file if len(opened) <= after else _Filling(file)

        monkeypatch.setattr(os, "fdopen", fdopen)
    return fill


def files_in(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_a_full_disk_while_a_note_is_written_keeps_nothing_and_says_so(client, personas, full_disk, own_root):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    full_disk(after=1)  # the first file goes down whole, the second fills the disk
    client.raise_request_exception = False
    client.force_login(personas.member_a)
    response = client.post(reverse("cases:action", args=[case.pk, "note"]), {
        "visibility": "cellule", "text": "Compte rendu de l'entretien.",
        "attachments": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("bilan-scolaire.pdf", PDF * 50)]})
    assert files_in(own_root) == []  # neither the whole first file nor the half of the second
    assert response.status_code == 400
    assert ("« bilan-scolaire.pdf » n'a pas pu être enregistré : l'espace de stockage des pièces jointes est plein"
            in html.unescape(response.content.decode()))
    assert not CaseNote.objects.exists() and not NoteAttachment.objects.exists()
    assert not Event.objects.filter(action="case.note_add").exists()


def test_a_full_disk_while_a_message_is_written_keeps_nothing_and_says_so(client, personas, full_disk, own_root):
    request = mobile_request(personas.coord_a, personas.mobile, "claimed")
    full_disk()
    client.raise_request_exception = False
    client.force_login(personas.mobile)
    response = client.post(reverse("mobile_team:message", args=[request.pk]), {
        "text": "Compte rendu joint.", "attachments": [SimpleUploadedFile("compte-rendu.pdf", PDF)]})
    assert response.status_code == 400 and "Compte rendu joint." in response.content.decode()  # kept as typed
    assert ("« compte-rendu.pdf » n'a pas pu être enregistré : l'espace de stockage des pièces jointes est plein"
            in html.unescape(response.content.decode()))
    assert files_in(own_root) == []
    assert not RequestMessage.objects.exists() and not MessageAttachment.objects.exists()
    assert not Event.objects.filter(action="mobile_request.message").exists()


def test_a_bucket_that_refuses_the_upload_is_said_in_french(client, personas, settings, monkeypatch):
    """An S3 upload is all or nothing (a multipart one that fails is aborted by boto3): what it
    raises on failure is boto's, not an OSError, and is told the same way."""
    settings.STORAGES = {**settings.STORAGES, "attachments": {"BACKEND": "storages.backends.s3.S3Storage",
                                                              "OPTIONS": {"bucket_name": "pieces-jointes"}}}

    def refuse(self, name, content):
        raise S3UploadFailedError("Failed to upload: SlowDown")

    monkeypatch.setattr(S3Storage, "_save", refuse)
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    client.force_login(personas.member_a)
    response = client.post(reverse("cases:action", args=[case.pk, "note"]), {
        "visibility": "cellule", "text": "Note.", "attachments": [SimpleUploadedFile("a.pdf", PDF)]})
    assert response.status_code == 400 and "n'a pas pu être enregistré" in html.unescape(response.content.decode())
    assert not CaseNote.objects.exists()


def test_check_consistency_names_the_files_no_attachment_names(personas, own_root):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    note = actions.add_note(personas.member_a, case, text="Bilan.", visibility="cellule",
                            attachments=[SimpleUploadedFile("bilan.pdf", PDF)])
    kept = note.attachments.get().stored_name
    orphan, partial = "ab" + "0" * 62, f".{'cd' + '1' * 62}.x7k2q{attachments.PARTIAL}"
    for key in (f"ab/{orphan}", f"cd/{partial}", f"zz/{kept}"):  # the last one: a row's name, in the wrong place
        (own_root / key).parent.mkdir(exist_ok=True)
        (own_root / key).write_bytes(PDF[:10])
    found = {label: (count, examples) for label, count, examples in consistency.run()}
    [(count, examples)] = [found[label] for label in found if label.startswith("chaque fichier du stockage")]
    assert (count, sorted(examples)) == (3, [f"fichier orphelin ab/{orphan}", f"fichier orphelin zz/{kept}",
                                             f"fichier temporaire cd/{partial}"])
