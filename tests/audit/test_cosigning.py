"""The product and its witnesses: each checkpoint goes round them with the consistency proof from the
size each last cosigned, carries their cosignatures, and is established only with the quorum; a trail
re-forged and signed anew with the application's key is refused by them, and verify_audit names it."""

import json
import socket
from contextlib import ExitStack

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError

from audit import cosigning, heads, proofs, receipts, signing, tree, witness
from audit.models import Event
from tests.audit.test_checkpoints import recompute_chain_after_editing
from tests.audit.trail import record_events, run, tamper
from tests.audit.witnesses import serving


@pytest.fixture
def points(tmp_path, settings):
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "points.jsonl")
    settings.AUDIT_CHECKPOINT_EMAILS = []
    return tmp_path / "points.jsonl"


def a_witness(tmp_path, name: str) -> witness.Witness:
    """A witness of the application's log, as the inspection would run it."""
    (tmp_path / name).write_text(witness.new_key_text(name))
    log_keys = heads.verifier_keys(signing.trusted_public_keys())
    state = witness.State(str(tmp_path / f"{name}.json"))
    return witness.Witness(*witness.read_key(str(tmp_path / name)), log_keys, state)


def closed_port() -> int:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        return free.getsockname()[1]


@pytest.fixture
def witnesses(tmp_path, settings):
    """Two witnesses served over HTTP, ``inspection`` and ``dpo``, configured with a quorum of 2."""
    served = [a_witness(tmp_path, "inspection"), a_witness(tmp_path, "dpo")]
    with ExitStack() as stack:
        urls = [stack.enter_context(serving(one)) for one in served]
        settings.AUDIT_WITNESSES = [f"{one.name} {url} {one.verifier_key}"
                                    for one, url in zip(served, urls, strict=True)]
        settings.AUDIT_WITNESS_QUORUM = 2
        yield served


def kept(points) -> list[dict]:
    return [json.loads(line) for line in points.read_text().splitlines()]


def verify(points) -> str:
    return run("verify_audit", "--checkpoint", str(points))


def test_each_checkpoint_carries_the_witnesses_cosignatures(db, points, witnesses):
    record_events(3)
    output = run("audit_checkpoint")
    assert "cosigné par 2 témoins sur 2 exigés (inspection, dpo)" in output
    record_events(4)
    run("audit_checkpoint")  # from the size each cosigned, with the consistency proof
    note = kept(points)[-1]["note"]
    keys = [*heads.verifier_keys(signing.trusted_public_keys()), *cosigning.keys()]
    assert proofs.open_checkpoint(note, keys, quorum=2).cosigned_by == ["inspection", "dpo"]
    assert [json.loads(one.state.path.read_text())[proofs.parse_note(note).text.split("\n")[0]]["size"]
            for one in witnesses] == [tree.size()] * 2
    assert Event.objects.filter(action="audit.checkpoint", details__établi=True,
                                details__témoins=["inspection", "dpo"]).count() == 2
    assert "Témoins (quorum 2) : n° 1 (rang 3, du " in verify(points)


def test_without_the_quorum_a_checkpoint_is_kept_but_not_established(db, points, witnesses, settings):
    record_events(2)
    configured = settings.AUDIT_WITNESSES[1]
    settings.AUDIT_WITNESSES[1] = f"dpo http://127.0.0.1:{closed_port()} {witnesses[1].verifier_key}"
    with pytest.raises(CommandError, match="non établi : cosigné par 1 témoin.*dpo n'a pas cosigné : injoignable"):
        run("audit_checkpoint")
    assert kept(points)[-1]["refus"]["dpo"].startswith("injoignable")
    event = Event.objects.get(action="audit.checkpoint")
    assert (event.details["témoins"], event.details["établi"]) == (["inspection"], False)
    with pytest.raises(CommandError, match=r"le dernier n'est pas établi : n° 1 .* cosigné par inspection, dpo a "
                                           r"refusé \(injoignable"):
        verify(points)
    settings.AUDIT_WITNESSES[1] = configured  # back up: it cosigns the next one, never having cosigned before
    record_events(1)
    run("audit_checkpoint")
    assert "1 point de contrôle sans le quorum (n° 1)." in verify(points)


def test_a_witness_that_forgot_nothing_tells_its_size(db, tmp_path, points, witnesses):
    """The checkpoints' file lost: the product starts from 0, each witness answers 409 with its size,
    and the product proves consistency from there."""
    record_events(2)
    run("audit_checkpoint")
    points.unlink()
    record_events(3)
    assert "cosigné par 2 témoins sur 2" in run("audit_checkpoint")


def test_a_reforged_trail_signed_with_the_application_s_key_is_refused_and_named(db, points, witnesses, settings):
    """Whoever holds the application's host rewrites an event, recomputes every link and node, and has
    the application sign the new head; the witnesses hold the root they cosigned: they refuse."""
    record_events(4)
    run("audit_checkpoint")
    recompute_chain_after_editing(2)
    tamper("DELETE FROM audit_treenode", [])
    tree.extend()
    record_events(2)
    points.unlink()  # and they replace the file of checkpoints with their own
    with pytest.raises(CommandError, match="non établi : cosigné par 0 témoin"):
        run("audit_checkpoint")
    assert run("verify_audit").startswith("Journal d'audit intègre")  # the trail alone vouches for itself…
    reason = kept(points)[0]["refus"]["inspection"]
    assert reason.startswith("refus (422) : point de contrôle refusé : incohérence : ")
    with pytest.raises(CommandError, match=r"n'est pas établi : n° 1 \(rang 7, .*aucune cosignature, inspection a "
                                           r"refusé \(refus \(422\) : point de contrôle refusé : incohérence"):
        verify(points)  # … the witnesses do not
    for one in witnesses:
        assert json.loads(one.state.path.read_text())[settings.AUDIT_LOG_ORIGIN]["size"] == 4


def test_a_misconfigured_witness_is_named(db, settings):
    settings.AUDIT_WITNESSES = ["dpo https://temoin.test cle"]
    with pytest.raises(ImproperlyConfigured, match="AUDIT_WITNESSES : témoin 'dpo https://temoin.test cle'"):
        cosigning.configured()


def test_receipts_and_archives_prove_against_an_established_checkpoint_only(db, points, witnesses, settings):
    """A checkpoint short of the quorum is signed by the application alone: a person's receipts and the
    trail's archives wait for one the witnesses cosigned."""
    record_events(2)
    configured = settings.AUDIT_WITNESSES[1]
    settings.AUDIT_WITNESSES[1] = f"dpo http://127.0.0.1:{closed_port()} {witnesses[1].verifier_key}"
    with pytest.raises(CommandError, match="non établi"):
        run("audit_checkpoint")
    assert receipts.latest_checkpoint() is None
    settings.AUDIT_WITNESSES[1] = configured
    record_events(1)
    run("audit_checkpoint")
    checkpoint, note = receipts.latest_checkpoint()
    assert sorted(checkpoint.cosigned_by) == ["dpo", "inspection"]
    assert note == kept(points)[-1]["note"]
