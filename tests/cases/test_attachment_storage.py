"""Attachments on shared storage (issue 17, item 6): with STORAGES["attachments"] (an S3-compatible
bucket in production) every application server writes and reads the same files, through the same
checks; without it, the local directory ATTACHMENTS_ROOT."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import attachments
from cases.models import NoteAttachment
from tests.cases.factories import CaseFactory

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
