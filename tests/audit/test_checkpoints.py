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

from audit import chain
from audit.models import Event
from audit.signing import key_id, public_key_text
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


def test_the_checkpoint_is_printed_signed_with_its_key_id_and_recorded(db, points):
    record_events(2)
    output = run("audit_checkpoint").splitlines()
    signed = json.loads(output[-1])
    assert signed == json.loads(points.read_text())
    assert signed["payload"]["seq"] == 2 and signed["payload"]["key_id"] == key_id(public_key_text())
    assert Event.objects.filter(action="audit.checkpoint", details__rang=2).exists()


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


def test_a_checkpoint_signed_by_another_key_that_carries_it_is_refused(db, points):
    """A forger signs with their own key and puts it in the checkpoint: only trusted keys count."""
    record_events(2)
    run("audit_checkpoint")
    signed = json.loads(points.read_text())
    forger = Ed25519PrivateKey.generate()
    forged_public = base64.b64encode(forger.public_key().public_bytes_raw()).decode()
    payload = {**signed["payload"], "key_id": key_id(forged_public)}
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    points.write_text(json.dumps({"payload": payload, "public_key": forged_public,
                                  "signature": base64.b64encode(forger.sign(body)).decode()}) + "\n")
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
