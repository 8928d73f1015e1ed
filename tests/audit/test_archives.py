"""Retention of the trail: events past RETENTION_AUDIT_YEARS and covered by a checkpoint are archived
off the database (signed) and removed; every later proof, the chain and the checkpoints still verify;
a tampered archive is refused; nothing else may delete an event."""

import datetime
import hashlib
import json

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit import archives, heads, proofs, tree
from audit.models import Event, ImmutableEvent, Seal, TrailArchive
from tests.audit.test_proofs_cli import accepted, refused
from tests.audit.trail import record_events, run

OLD = datetime.timedelta(days=7 * 366)


@pytest.fixture
def trail(db, settings, tmp_path):
    """Four events seven years old, a checkpoint, two more old ones after it, then two of today."""
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "points.jsonl")
    settings.AUDIT_ARCHIVE_DIR = str(tmp_path / "archives")
    with time_machine.travel(timezone.now() - OLD):
        record_events(4)
        first, _ = heads.take_checkpoint()
        record_events(2)
    record_events(2)
    return tmp_path, first, run("audit_public_key", "--note").strip()


def test_old_checkpointed_events_are_archived_and_removed_and_every_proof_still_holds(trail):
    tmp_path, first, key = trail
    before = {seal.seq: seal.event_id for seal in Seal.objects.all()}
    assert first.size == 4
    out = run("archive_audit")
    assert "rangs 1 à 4 archivés" in out
    # Not yet checkpointed when archived: the two old events after the checkpoint stay.
    assert not Event.objects.filter(pk__in=[before[seq] for seq in range(1, 5)]).exists()
    assert min(Seal.objects.values_list("seq", flat=True)) == 5
    assert Event.objects.filter(pk__in=[before[5], before[6]]).count() == 2
    assert TrailArchive.boundary()[0] == 4
    assert "Journal d'audit intègre" in run("verify_audit", "--checkpoint", str(tmp_path / "points.jsonl"))
    # A later checkpoint: consistent with the first, and every kept event included in it.
    second, _ = heads.take_checkpoint()
    proofs.verify_consistency(first.size, second.size, first.root, second.root,
                              tree.consistency_proof(first.size, second.size))
    for seq in range(5, second.size + 1):
        proof = json.loads(run("audit_proof", "--event", str(before.get(seq) or Seal.objects.get(seq=seq).event_id),
                               "--size", str(second.size)))
        proofs.verify_inclusion(seq - 1, second.size, proofs.leaf_hash(bytes.fromhex(proof["digest"])),
                                [bytes.fromhex(value) for value in proof["proof"]], second.root)
    # The next run archives the two old events the new checkpoint covers, linking on from the first archive.
    assert "rangs 5 à 6 archivés" in run("archive_audit")
    assert "Journal d'audit intègre" in run("verify_audit", "--checkpoint", str(tmp_path / "points.jsonl"))
    assert "Journal d'audit intègre" in run("verify_audit")
    assert "Journal d'audit intègre" in run("verify_audit", "--since", str(Seal.objects.get(seq=7).event_id))
    latest = tmp_path / "archives" / TrailArchive.objects.last().name
    assert "archive des rangs 5 à 6 intègre" in accepted("archive", str(latest), "--cle", key)
    assert run("archive_audit").startswith("Aucun événement à archiver")


def test_the_archive_verifies_offline_and_a_tampered_one_is_refused(trail):
    tmp_path, first, key = trail
    run("archive_audit")
    made = TrailArchive.objects.get()
    path = tmp_path / "archives" / made.name
    assert "archive des rangs 1 à 4 intègre" in accepted("archive", str(path), "--cle", key)
    lines = path.read_text().splitlines()
    original = path.read_bytes()
    event = json.loads(lines[2])
    event["event"]["details"]["rang"] = 99
    for tampered in ([*lines[:2], json.dumps(event), *lines[3:]], [lines[0], *lines[2:]]):
        path.write_text("\n".join(tampered) + "\n")
        assert "SHA-256" in refused("archive", str(path), "--cle", key)
    # Re-signed by whoever changed it: their key is not the log's.
    path.write_text("\n".join([*lines[:2], json.dumps(event), *lines[3:]]) + "\n")
    origin = key.split("+")[0]
    forged = tmp_path / "forged.note"
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    stranger = Ed25519PrivateKey.generate()
    forged.write_text(proofs.sign_note(proofs.archive_note_text(origin, 1, 4, sha256), origin, stranger))
    assert "signature incorrecte" in refused("archive", str(path), "--cle", key, "--note", str(forged))
    path.write_bytes(original)
    assert "intègre" in accepted("archive", str(path), "--cle", key)


def test_events_not_past_the_period_or_not_checkpointed_stay(trail, settings):
    settings.RETENTION_AUDIT_YEARS = 8
    assert run("archive_audit").startswith("Aucun événement à archiver")
    settings.RETENTION_AUDIT_YEARS = 6
    settings.AUDIT_CHECKPOINT_FILE = str(trail[0] / "absent.jsonl")
    assert run("archive_audit").startswith("Aucun événement à archiver")
    assert Seal.objects.filter(seq=1).exists()


def test_no_event_is_deleted_outside_the_archive(trail):
    run("archive_audit")
    kept = Event.objects.order_by("pk").first()
    with pytest.raises(ImmutableEvent):
        Event.objects.filter(pk=kept.pk).delete()
    if connection.vendor == "postgresql":  # the database itself refuses, whoever asks
        for sql in ("DELETE FROM audit_event WHERE id = %s", "DELETE FROM audit_seal WHERE event_id = %s"):
            with pytest.raises(DatabaseError, match="hors des rangs archivés"), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql, [kept.pk])
        with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM audit_trailarchive")
    assert Event.objects.filter(pk=kept.pk).exists()


def test_archiving_without_a_directory_is_refused_and_removes_nothing(trail, settings):
    settings.AUDIT_ARCHIVE_DIR = ""
    with pytest.raises(archives.NoArchiveDirectory):
        archives.archive()
    assert Seal.objects.filter(seq=1).exists()
