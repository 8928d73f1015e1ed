"""The stand-alone verifier (``python audit/proofs.py``), run as an inspector would: a separate
process, isolated (``-I``: no PYTHONPATH, no project on the path), on the files the product gives."""

import ast
import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit import proofs, signing
from audit.models import Seal
from tests.audit.trail import record_events, run

VERIFIER = Path(__file__).resolve().parents[2] / "audit" / "proofs.py"


def verifier(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-I", str(VERIFIER), *args], capture_output=True, text=True,  # noqa: S603
                          env={"PYTHONPATH": ""}, check=False, timeout=60)


def accepted(*args: str) -> str:
    result = verifier(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def refused(*args: str) -> str:
    result = verifier(*args)
    assert result.returncode == 1 and result.stdout == "", result.stdout
    assert result.stderr.startswith("ÉCHEC : ")
    return result.stderr


@pytest.fixture
def trail(db, tmp_path):
    """Two checkpoints of a growing trail, as files, and the log's verifier key."""
    record_events(3)
    notes = []
    for number in (1, 2):
        notes.append(tmp_path / f"point{number}.txt")
        run("audit_checkpoint", "--output", str(tmp_path / "points.jsonl"))
        notes[-1].write_text(json.loads((tmp_path / "points.jsonl").read_text().splitlines()[-1])["note"])
        record_events(2)
    return tmp_path, notes, run("audit_public_key", "--note").strip()


def test_the_verifier_imports_no_django():
    imported = {alias.name.split(".")[0] for node in ast.walk(ast.parse(VERIFIER.read_text()))
                if isinstance(node, ast.Import | ast.ImportFrom) for alias in getattr(node, "names", [])}
    imported |= {node.module.split(".")[0] for node in ast.walk(ast.parse(VERIFIER.read_text()))
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert "django" not in imported and "audit" not in imported
    assert "COMMANDE" in accepted("--help")


def test_a_checkpoint_and_its_cosignatures(trail):
    path, notes, key = trail
    assert "3 événements, signé par" in accepted("point", str(notes[0]), "--cle", key)
    witness = Ed25519PrivateKey.generate()
    witness_key = proofs.VerifierKey.text("inspection.example", witness.public_key().public_bytes_raw(),
                                          proofs.COSIGNATURE)
    cosigned = path / "cosigne.txt"
    cosigned.write_text(proofs.cosign(notes[0].read_text(), "inspection.example", witness, 1_760_000_000))
    assert "cosigné par 1 témoin (inspection.example)" in accepted(
        "point", str(cosigned), "--cle", key, "--cle", witness_key, "--quorum", "1")
    assert "1 cosignature de témoins, 2 exigées" in refused(
        "point", str(cosigned), "--cle", key, "--cle", witness_key, "--quorum", "2")


def test_a_forged_checkpoint_is_refused(trail):
    path, notes, key = trail
    text = notes[0].read_text()
    forged = path / "faux.txt"
    forged.write_text(text.replace("\n3\n", "\n2\n", 1))  # changed size
    assert "signature incorrecte de la clé" in refused("point", str(forged), "--cle", key)
    lines = text.split("\n")
    signature = base64.b64decode(lines[-2].split(" ")[2])
    lines[-2] = " ".join([*lines[-2].split(" ")[:2], base64.b64encode(bytes(4) + signature[4:]).decode()])
    forged.write_text("\n".join(lines))  # wrong key id
    assert "clé inconnue" in refused("point", str(forged), "--cle", key)
    other = proofs.VerifierKey.text(key.split("+")[0], Ed25519PrivateKey.generate().public_key().public_bytes_raw())
    assert "clé inconnue" in refused("point", str(notes[0]), "--cle", other)
    forged.write_text(text.replace("\n\n", "\n"))
    assert "note mal formée" in refused("point", str(forged), "--cle", key)


def test_an_inclusion_proof(trail):
    path, notes, key = trail
    first = json.loads(run("audit_proof", "--event", str(record_ids()[1]), "--size", "3"))
    proof = path / "preuve.json"
    proof.write_text(json.dumps(first))
    assert "événement de rang 2 inclus dans le journal" in accepted(
        "inclusion", str(proof), "--point", str(notes[0]), "--cle", key)
    assert "3 événements" in refused("inclusion", str(proof), "--point", str(notes[1]), "--cle", key)
    proof.write_text(json.dumps({**first, "event": {**first["event"], "departement": "69"}}))
    assert "l'événement de la preuve a été modifié" in refused(
        "inclusion", str(proof), "--point", str(notes[0]), "--cle", key)
    edited = dict(first, proof=[("0" if first["proof"][0][0] != "0" else "1") + first["proof"][0][1:],
                                *first["proof"][1:]])
    proof.write_text(json.dumps(edited))
    assert "preuve d'inclusion fausse" in refused("inclusion", str(proof), "--point", str(notes[0]), "--cle", key)


def record_ids() -> list[int]:
    return list(Seal.objects.order_by("seq").values_list("event_id", flat=True))


def test_a_consistency_proof_and_a_fork(trail, settings):
    path, notes, key = trail
    proof = path / "coherence.json"
    proof.write_text(run("audit_proof", "--old", "3", "--new", "6"))
    sizes = [proofs.parse_checkpoint_text(proofs.parse_note(n.read_text()).text)[1] for n in notes]
    assert sizes == [3, 6]
    assert "le journal de 3 événements est le début de celui de 6" in accepted(
        "coherence", str(proof), "--ancien", str(notes[0]), "--nouveau", str(notes[1]), "--cle", key)
    # The operator re-forges the trail and signs another tree of the same size with the application's key.
    forged_tree = proofs.MemoryTree([b"autre"] * 3)
    fork = path / "fourche.txt"
    fork.write_text(proofs.sign_note(proofs.checkpoint_text(settings.AUDIT_LOG_ORIGIN, 3, forged_tree.root()),
                                     settings.AUDIT_LOG_ORIGIN, signing.private_key()))
    assert "fourche" in refused("coherence", "--ancien", str(notes[0]), "--nouveau", str(fork), "--cle", key)
    fork.write_text(proofs.sign_note(proofs.checkpoint_text(settings.AUDIT_LOG_ORIGIN, 6, proofs.MemoryTree(
        [b"autre"] * 6).root()), settings.AUDIT_LOG_ORIGIN, signing.private_key()))
    assert "incohérence" in refused("coherence", str(proof), "--ancien", str(notes[0]), "--nouveau", str(fork),
                                    "--cle", key)
