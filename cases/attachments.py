"""The files joined to case notes: checked by their content, stored outside the web roots under a
random name, removed again if the transaction that wrote them rolls back.

They lie in the directory ``ATTACHMENTS_ROOT``, or, when several application servers share them, in
the private bucket of ``STORAGES["attachments"]`` (django-storages, S3-compatible: settings
``ATTACHMENTS_S3_*``). Either way they are read only through the view that checks the policy.
"""

import hashlib
import secrets
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header

ZIP = b"PK\x03\x04"
# Extension: (content type, the signature the file's first bytes must carry).
ALLOWED = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".odt": ("application/vnd.oasis.opendocument.text", ZIP),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", ZIP),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
}
ALLOWED_TEXT = "PDF, PNG, JPEG, ODT, ODS, DOCX ou XLSX"


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    content: bytes


def clean_name(name: str) -> str:
    """The name offered on download: no path, no control character, at most 120 characters."""
    name = Path(unicodedata.normalize("NFC", name or "").replace("\\", "/")).name
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C" and c not in '"<>:|?*').strip(" .")
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[:110]}.{ext[:8]}" if dot else name[:120]
    return name


def check(upload) -> CheckedFile:
    """Refuse, in French, a file too big, empty, with a bad name or whose content is not its type."""
    given = upload.name or ""
    if "\x00" in given or not clean_name(given):
        raise ValidationError({"attachments": "Le nom d'un fichier joint est invalide : renommez-le."})
    name = clean_name(given)
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError({"attachments": f"« {name} » dépasse la taille maximale de "
                                              f"{limit // (1024 * 1024)} Mo."})
    if upload.size == 0:
        raise ValidationError({"attachments": f"« {name} » est vide."})
    allowed = ALLOWED.get(Path(name).suffix.lower())
    upload.seek(0)
    content = upload.read(limit + 1)
    if allowed is None or not content.startswith(allowed[1]) or len(content) > limit:
        raise ValidationError({"attachments": f"« {name} » n'est pas un fichier accepté ({ALLOWED_TEXT}) "
                                              f"ou son contenu ne correspond pas à son extension."})
    return CheckedFile(name, allowed[0], content)


def root() -> Path:
    return Path(settings.ATTACHMENTS_ROOT)


def path_of(stored_name: str) -> Path:
    """Where a file lies in the local directory (not when a bucket holds them: see ``read``)."""
    return root() / stored_name[:2] / stored_name


def storage() -> Storage:
    """The shared bucket if the settings name one, else the local directory (owner-only modes)."""
    if "attachments" in settings.STORAGES:
        return storages["attachments"]
    return FileSystemStorage(location=root(), file_permissions_mode=0o600, directory_permissions_mode=0o700)


def _key(stored_name: str) -> str:
    return f"{stored_name[:2]}/{stored_name}"


def store(checked: CheckedFile) -> dict:
    """Write a checked file under a random name; returns the attachment's fields. The caller removes
    what it wrote (``remove``) if its transaction fails: Django has no hook on a rollback."""
    stored_name = secrets.token_hex(32)
    storage().save(_key(stored_name), ContentFile(checked.content))
    return {"original_name": checked.name, "content_type": checked.content_type, "size": len(checked.content),
            "sha256": hashlib.sha256(checked.content).hexdigest(), "stored_name": stored_name}


def read(stored_name: str) -> bytes | None:
    """The file's content (ATTACHMENT_MAX_BYTES bounds it), None if it is missing."""
    files = storage()
    if not files.exists(_key(stored_name)):
        return None
    with files.open(_key(stored_name), "rb") as file:
        return file.read()


def remove(stored_names: list[str]) -> None:
    files = storage()
    for stored_name in stored_names:
        files.delete(_key(stored_name))


@contextmanager
def storing(uploads, field: str = "attachments", most: int = 5) -> Iterator[tuple[list[CheckedFile], Callable]]:
    """Every upload checked before anything is written; then, inside the block (the caller's
    transaction), ``write(checked)`` stores one and returns its fields. If the block raises, the files
    it wrote are removed: a file never outlives the row that names it."""
    if len(uploads) > most:
        raise ValidationError({field: f"Joignez au plus {most} fichiers."})
    checked = [check(upload) for upload in uploads]
    written: list[str] = []

    def write(file: CheckedFile) -> dict:
        fields = store(file)
        written.append(fields["stored_name"])
        return fields

    try:
        yield checked, write
    except BaseException:
        remove(written)
        raise


def response(file, record: Callable[[], None]) -> HttpResponse:
    """The download of a stored file (``cases.models.StoredFile``) the caller allowed; ``record`` records
    the read once the file is found. Read whole (ATTACHMENT_MAX_BYTES bounds it): the file is closed
    before the response leaves."""
    content = read(file.stored_name)  # from the directory or the shared bucket
    if content is None:
        raise Http404("Pièce jointe introuvable.")
    record()
    answer = HttpResponse(content, content_type=file.content_type)
    answer["Content-Disposition"] = content_disposition_header(True, file.original_name)
    answer["X-Content-Type-Options"] = "nosniff"
    return answer
