"""Retention of the trail itself: events past ``RETENTION_AUDIT_YEARS`` leave the database for a signed
archive, while every later proof still verifies.

Only a prefix of the chain is archived, and only up to the latest checkpoint that holds
(``receipts.latest_checkpoint``): ranks from the last archive's up to the last event older than the
limit, never the last seal (the sealer links on from it). The archive is written off the database,
in ``AUDIT_ARCHIVE_DIR``: JSON lines (a header: the ranks, the hash before them, the checkpoint that
covers them and the hashes of the rest of its tree; then each event with its rank and chain hash),
and beside it a note signed with the log's key over its SHA-256. ``python audit/proofs.py archive``
checks both offline; the archive is checked so before anything is removed.

Then its events and seals are removed, by the one path the database allows (audit/migrations/0009:
on PostgreSQL a DELETE is refused above the last archive's rank). The Merkle tree's nodes all stay:
32 bytes per leaf, and every root, inclusion and consistency proof of a later or kept checkpoint
needs only them. The chain is verified from the archive's boundary, its last hash (``TrailArchive``).
"""

import datetime
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import chain, heads, proofs, receipts, sealer, signing, tree
from audit.models import Event, Seal, TrailArchive

BATCH = 5000


class NoArchiveDirectory(Exception):
    """Archiving with nowhere to write: nothing is removed."""


def cutoff(now: datetime.datetime) -> datetime.datetime:
    """The limit: events before it are past the trail's retention period."""
    years = settings.RETENTION_AUDIT_YEARS
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def last_archivable(limit: datetime.datetime, checkpoint_size: int) -> int:
    """The last rank that may be archived: covered by the checkpoint, before the last seal, and with
    every event from the boundary to it older than ``limit``."""
    start, _ = TrailArchive.boundary()
    last = min(checkpoint_size, sealer.head().seq - 1)
    young = (Seal.objects.filter(seq__gt=start, seq__lte=last, event__time__gte=limit).order_by("seq")
             .values_list("seq", flat=True).first())
    return last if young is None else young - 1


def archive(now: datetime.datetime | None = None, directory: str | None = None) -> TrailArchive | None:
    """Archive the events past the retention period and covered by a checkpoint, then remove them;
    the archive, or ``None`` when nothing is to be archived. A trail that does not verify over those
    ranks (``proofs.ProofError``) is archived nowhere and loses nothing."""
    configured = directory or settings.AUDIT_ARCHIVE_DIR
    if not configured:
        raise NoArchiveDirectory("Aucun répertoire d'archives : donnez le réglage AUDIT_ARCHIVE_DIR (hors de la base "
                                 "de données). Rien n'a été archivé ni retiré.")
    target = Path(configured)
    target.mkdir(parents=True, exist_ok=True)
    sealer.seal()
    latest = receipts.latest_checkpoint()
    if latest is None:
        return None
    checkpoint, note = latest
    before, previous_hash = TrailArchive.boundary()
    last = last_archivable(cutoff(now or timezone.now()), checkpoint.size)
    if last <= before:
        return None
    first, origin = before + 1, settings.AUDIT_LOG_ORIGIN
    outside = proofs.outside_ranges(first - 1, last, checkpoint.size)
    header = {"format": proofs.ARCHIVE_FORMAT, "origin": origin, "first_seq": first, "last_seq": last,
              "previous_hash": previous_hash, "checkpoint": note,
              "tree": [value.hex() for value in tree.hashes(outside)],
              "time": timezone.now().isoformat(timespec="seconds")}
    lines = [json.dumps(header, ensure_ascii=False)]
    last_hash = previous_hash
    for row in chain.rows(Seal.objects.filter(seq__range=(first, last))):
        lines.append(json.dumps({"seq": row["seq"], "hash": row["hash"], "event": receipts.columns(row)},
                                ensure_ascii=False))
        last_hash = row["hash"]
    content = ("\n".join(lines) + "\n").encode()
    sha256 = hashlib.sha256(content).hexdigest()
    signed = proofs.sign_note(proofs.archive_note_text(origin, first, last, sha256), origin, signing.private_key())
    # Checked as anyone will check it, before it is kept: a broken chain or tree stops everything here.
    proofs.verify_archive(content, signed, heads.verifier_keys(signing.trusted_public_keys()))
    name = f"journal-{first:012d}-{last:012d}.jsonl"
    (target / name).write_bytes(content)
    (target / f"{name}.note").write_text(signed, encoding="utf-8")
    with transaction.atomic():
        made = TrailArchive.objects.bulk_create([TrailArchive(
            first_seq=first, last_seq=last, last_hash=last_hash, sha256=sha256, name=name, archived_at=timezone.now())])
    remove()
    return made[0]


def remove() -> int:
    """Remove the archived events and their seals still in the database, by batches (a run stopped
    midway is finished by the next); how many. The events go first: on PostgreSQL the database allows
    deleting an event only while its seal shows it archived."""
    boundary, _ = TrailArchive.boundary()
    removed = 0
    while True:
        with transaction.atomic():
            batch = list(Seal.objects.filter(seq__lte=boundary).order_by("seq").values_list("seq", "event_id")[:BATCH])
            if not batch:
                return removed
            Event.objects.filter(pk__in=[event for _, event in batch])._raw_delete(Event.objects.db)
            Seal.objects.filter(seq__in=[seq for seq, _ in batch])._raw_delete(Seal.objects.db)
        removed += len(batch)
