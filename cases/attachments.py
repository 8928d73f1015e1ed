"""The files joined to case notes: checked by their content, stored outside the web roots under a
random name, removed again if the transaction that wrote them rolls back.

They lie in the directory ``ATTACHMENTS_ROOT``, or, when several application servers share them, in
the private bucket of ``STORAGES["attachments"]`` (django-storages, S3-compatible: settings
``ATTACHMENTS_S3_*``). Either way they are read only through the view that checks the policy.

A file appears whole or not at all. In the directory it is written under a temporary name beside
its own, flushed to the disk, then renamed (``AtomicFileSystemStorage``); a bucket stores an
object only once its upload completed (a failed multipart upload is aborted by boto3). A write that
fails, a full disk above all, is the form's French error: nothing of the note or message is kept.
``manage.py check_consistency`` names any file that no attachment names, a leftover temporary one
included.
"""

import hashlib
import logging
import os
import secrets
import tempfile
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
from django.utils._os import safe_makedirs  # type: ignore[attr-defined]  # Django's own, not in its stubs
from django.utils.http import content_disposition_header

logger = logging.getLogger(__name__)

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
PARTIAL = ".part"  # the suffix of a file being written (``AtomicFileSystemStorage``)


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


class AtomicFileSystemStorage(FileSystemStorage):
    """A directory where a file is whole or absent: Django's own writes it in place, and a write
    that fails half-way (ENOSPC, at a write or only at the flush) left its first part there, under
    the name a row would point to. Here it goes to ``.<name>.<random>.part`` in the same directory
    (so the rename never crosses file systems), is flushed with fsync, then renamed; on any failure
    the temporary file is removed. Modes are the owner's only (mkstemp's 0600, directories 0700)."""

    def _save(self, name: str, content) -> str:
        final = self.path(name)
        directory = os.path.dirname(final)
        safe_makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(final)}.", suffix=PARTIAL, dir=directory)
        try:
            with os.fdopen(fd, "wb") as file:
                for chunk in content.chunks():
                    file.write(chunk)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, final)
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:  # left for check_consistency to name
                logger.exception("Fichier temporaire de pièce jointe non supprimé")
            raise
        return name


def storage() -> Storage:
    """The shared bucket if the settings name one, else the local directory (owner-only modes)."""
    if "attachments" in settings.STORAGES:
        return storages["attachments"]
    return AtomicFileSystemStorage(location=root(), file_permissions_mode=0o600, directory_permissions_mode=0o700)


def _write_errors() -> tuple[type[BaseException], ...]:
    """What a failed write raises: OSError from the directory; from a bucket, boto's errors (imported
    only then: boto3 is heavy, and loaded by django-storages anyway)."""
    if "attachments" not in settings.STORAGES:
        return (OSError,)
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError

    return (OSError, Boto3Error, BotoCoreError, ClientError)


def _key(stored_name: str) -> str:
    return f"{stored_name[:2]}/{stored_name}"


def store(checked: CheckedFile) -> dict:
    """Write a checked file under a random name; returns the attachment's fields. The caller removes
    what it wrote (``remove``) if its transaction fails: Django has no hook on a rollback."""
    stored_name = secrets.token_hex(32)
    try:
        storage().save(_key(stored_name), ContentFile(checked.content))
    except _write_errors():
        logger.exception("Pièce jointe non enregistrée : stockage plein ou indisponible")  # for the operator
        raise ValidationError({"attachments": (
            f"« {checked.name} » n'a pas pu être enregistré : l'espace de stockage des pièces jointes est plein ou "
            "indisponible. Rien n'a été enregistré. Réessayez plus tard ; si cela se reproduit, prévenez "
            "l'administrateur technique.")}) from None
    return {"original_name": checked.name, "content_type": checked.content_type, "size": len(checked.content),
            "sha256": hashlib.sha256(checked.content).hexdigest(), "stored_name": stored_name}


def read(stored_name: str) -> bytes | None:
    """The file's content (ATTACHMENT_MAX_BYTES bounds it), None if it is missing."""
    files = storage()
    if not files.exists(_key(stored_name)):
        return None
    with files.open(_key(stored_name), "rb") as file:
        return file.read()


def stored_keys(directory: str = "") -> Iterator[str]:
    """Every file the storage holds, as its key (``ab/abcd…``), temporary ones included: what
    ``check_consistency`` compares with the attachments' rows."""
    files = storage()
    try:
        directories, names = files.listdir(directory)
    except FileNotFoundError:  # no attachment was ever written here
        return
    prefix = f"{directory}/" if directory else ""
    yield from (prefix + name for name in names)
    for inner in directories:
        yield from stored_keys(prefix + inner)


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
    answer["Content-Disposition"] = content_disposition_header(True, file.original_name) or "attachment"
    answer["X-Content-Type-Options"] = "nosniff"
    return answer
