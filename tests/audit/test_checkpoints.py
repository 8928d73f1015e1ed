"""Checkpoints that mean something: kept somewhere, named by their key, all of them checked.

Each way of rewriting the trail is tried as someone with the table owner's rights would (raw SQL,
triggers lifted): edited, deleted and reordered events, a cut tail followed by a fresh checkpoint,
a chain recomputed after an edit. Each is detected and named.
"""

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError

from audit import chain, proofs, signing, tree
from audit.models import Event, Seal
from audit.signing import public_key_text
from tests.audit.trail import record_events, run, sealed_rows, tamper, verified


@pytest.fixture
def points(tmp_path, settings):
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "points.jsonl")
    settings.AUDIT_CHECKPOINT_EMAILS = []
    return tmp_path / "points.jsonl"


def verify(points) -> str:
    return run("verify_audit", "--checkpoint", str(points))


def test_a_checkpoint_kept_nowhere_is_refused(db, settings):
    settings.AUDIT_CHECKPOINT_FILE, settings.AUDIT_CHECKPOINT_EMAILS = "", []
    record_events(2)
    with pytest.raises(CommandError, match="Aucune destination"):
        run("audit_checkpoint")
    assert not Event.objects.filter(action="audit.checkpoint").exists()


def test_the_checkpoint_is_a_signed_note_printed_kept_and_recorded(db, points, settings):
    record_events(2)
    output = run("audit_checkpoint")
    note = json.loads(points.read_text())["note"]
    assert output.endswith(note) and note.startswith(f"{settings.AUDIT_LOG_ORIGIN}\n2\n")
    key = proofs.VerifierKey.text(settings.AUDIT_LOG_ORIGIN, base64.b64decode(public_key_text()))
    checkpoint = proofs.open_checkpoint(note, [proofs.VerifierKey.parse(key)])
    assert checkpoint.size == 2 and checkpoint.root == tree.root(2)
    assert checkpoint.extensions[0] == f"chain 2 {Seal.objects.get(seq=2).hash}"
    assert Event.objects.filter(action="audit.checkpoint", details__rang=2,
                                details__racine=checkpoint.root.hex()).exists()


def test_the_json_checkpoints_of_former_versions_still_verify(db, points):
    """A file begun before the notes: its signed chain heads are checked as they were, then the notes."""
    record_events(2)
    last = Seal.objects.get(seq=2)
    signed = signing.sign({"type": "checkpoint", "last_id": last.event_id, "seq": 2, "hash": last.hash,
                           "count": 2, "time": "2026-01-01T00:00:00+00:00"})
    points.write_text(json.dumps(signed) + "\n")
    run("audit_checkpoint")
    assert "2 points de contrôle présents et inchangés" in verify(points)
    tamper("UPDATE audit_seal SET hash = %s WHERE seq = 2", ["0" * 64])
    with pytest.raises(CommandError, match="n° 1 : .*n'est plus celui qui a été signé"):
        verify(points)


def test_every_checkpoint_of_the_file_is_checked_and_they_all_hold(db, points):
    record_events(2)
    run("audit_checkpoint")
    record_events(3)
    run("audit_checkpoint")
    assert "2 points de contrôle présents et inchangés" in verify(points)


def test_a_cut_tail_followed_by_a_fresh_checkpoint_is_caught_by_the_older_one(db, points):
    events = record_events(5)
    run("audit_checkpoint")  # attests rank 6 (5 events and the checkpoint's own)
    tamper("DELETE FROM audit_seal WHERE seq >= %s", [4])
    tamper("DELETE FROM audit_event WHERE id >= %s", [events[3].pk])
    run("audit_checkpoint")  # the forger's fresh checkpoint, signed by the server's own key
    with pytest.raises(CommandError) as error:
        verify(points)
    assert "point de contrôle n° 1" in str(error.value) and "journal tronqué" in str(error.value)
    assert events[0].seal.seq == 1


def test_a_recomputed_chain_is_caught_by_the_checkpoints_signed_before(db, points):
    record_events(4)
    run("audit_checkpoint")
    recompute_chain_after_editing(2)
    assert chain.verify(sealed_rows()).ok
    with pytest.raises(CommandError, match="n'est plus celui qui a été signé"):
        verify(points)


def test_reordered_events_are_caught(db, points):
    events = record_events(4)
    run("audit_checkpoint")
    tamper("UPDATE audit_seal SET seq = -1 WHERE event_id = %s", [events[1].pk])
    tamper("UPDATE audit_seal SET seq = 2 WHERE event_id = %s", [events[2].pk])
    tamper("UPDATE audit_seal SET seq = 3 WHERE event_id = %s", [events[1].pk])
    with pytest.raises(CommandError, match=f"#{events[2].pk} \\(rang 2\\) : contenu modifié"):
        verify(points)


@pytest.mark.parametrize("edit", [
    lambda e: ("UPDATE audit_event SET details = %s WHERE id = %s", ['{"rang": 99}', e[1].pk]),
    lambda e: ("DELETE FROM audit_seal WHERE event_id = %s", [e[1].pk]),
])
def test_an_edited_or_deleted_event_is_named(db, points, edit):
    events = record_events(4)
    run("audit_checkpoint")
    tamper(*edit(events))
    with pytest.raises(CommandError, match=f"#{events[1].pk if 'details' in edit(events)[0] else events[2].pk} "):
        verify(points)


def test_old_checkpoints_still_verify_after_the_key_rotates(db, points, settings):
    record_events(2)
    run("audit_checkpoint")
    old_public = public_key_text()
    settings.AUDIT_SIGNING_KEY = base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()
    run("audit_checkpoint")
    with pytest.raises(CommandError, match="n° 1 : .*clé inconnue"):
        verify(points)
    settings.AUDIT_TRUSTED_PUBLIC_KEYS = [old_public]
    assert "2 points de contrôle" in verify(points)


def test_a_checkpoint_signed_by_another_key_under_the_log_s_name_is_refused(db, points, settings):
    """A forger signs a note with their own key, under the log's name: only trusted keys count."""
    record_events(2)
    run("audit_checkpoint")
    text = proofs.parse_note(json.loads(points.read_text())["note"]).text
    forged = proofs.sign_note(text, settings.AUDIT_LOG_ORIGIN, Ed25519PrivateKey.generate())
    points.write_text(json.dumps({"note": forged}) + "\n")
    with pytest.raises(CommandError, match="clé inconnue"):
        verify(points)


def test_each_integrity_check_is_an_event_of_the_trail(db):
    record_events(2)
    run("verify_audit")
    check = Event.objects.get(action="audit.verify")
    assert (check.details["vérifiés"], check.details["intègre"]) == (2, True)
    verified()


def recompute_chain_after_editing(seq: int) -> None:
    """The forger edits an event and recomputes every hash after it: the links all agree again."""
    previous = chain.GENESIS
    for row in sealed_rows():
        if row["seq"] == seq:
            row["action"] = "test.falsifie"
        previous = chain.chain(previous, chain.digest(row))
        tamper("UPDATE audit_event SET action = %s WHERE id = %s", [row["action"], row["id"]])
        tamper("UPDATE audit_seal SET hash = %s WHERE event_id = %s", [previous, row["id"]])


def test_incremental_verification_starts_after_the_last_checkpoint(db, points):
    record_events(5)
    run("audit_checkpoint")  # attests rank 5; the checkpoint's own event is rank 6
    record_events(3)
    output = run("verify_audit", "--checkpoint", str(points), "--incremental")
    assert "4 événements vérifiés, dernier rang 10" not in output
    assert "4 événements vérifiés, dernier rang 9" in output and "(rang 5)" in output
    # The checkpoint vouches for what comes before it: a chain recomputed from an earlier edit fails it.
    recompute_chain_after_editing(2)
    with pytest.raises(CommandError, match="n'est plus celui qui a été signé"):
        run("verify_audit", "--checkpoint", str(points), "--incremental")
    with pytest.raises(CommandError, match="--checkpoint"):
        run("verify_audit", "--incremental")
