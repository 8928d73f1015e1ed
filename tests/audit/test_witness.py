"""The witness (audit/witness.py): it cosigns a log's growth and nothing that contradicts what it
cosigned before, whoever signed it; its state survives a failed write; its HTTP API and its program
behave as C2SP tlog-witness says, the program without Django."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit import proofs, witness
from tests.audit.witnesses import Log, cosigner_key, new_witness, serving

WITNESS_PY = Path(witness.__file__)


def cosigned(log: Log, served: witness.Witness, request: witness.Request) -> proofs.Checkpoint:
    line = served.add_checkpoint(request)
    return proofs.open_checkpoint(request.note + line, [log.verifier_key, cosigner_key(served)], quorum=1)


def test_the_witness_cosigns_a_consistent_growth(tmp_path):
    log = Log(3)
    served = new_witness(tmp_path, log)
    assert cosigned(log, served, log.request(0)).cosigned_by == ["temoin.test/w1"]
    log.grow(4)
    checkpoint = cosigned(log, served, log.request(3))
    assert (checkpoint.size, checkpoint.cosigned_by) == (7, ["temoin.test/w1"])
    assert cosigned(log, served, log.request(7)).size == 7  # the same tree again: cosigned again
    state = json.loads(served.state.path.read_text())[log.origin]
    assert (state["size"], state["root"]) == (7, log.note().split("\n")[2])


def test_the_witness_refuses_a_fork_and_remembers_it(tmp_path):
    """Two different trees of the same size, both signed by the log's key."""
    log, other = Log(5), Log(0)
    other.key = log.key
    other.grow(5, prefix=b"autre")
    served = new_witness(tmp_path, log)
    cosigned(log, served, log.request(0))
    with pytest.raises(witness.Refusal, match="fourche") as refused:
        served.add_checkpoint(witness.Request(5, [], other.note()))
    assert (refused.value.status, refused.value.size) == (409, None)
    state = json.loads(served.state.path.read_text())[log.origin]
    assert state["size"] == 5 and state["root"] == log.note().split("\n")[2]
    assert [evidence["requete"].endswith(other.note()) for evidence in state["refus"]] == [True]


def test_a_reforged_trail_signed_with_the_log_key_is_refused(tmp_path):
    """The operator rewrites an old event, recomputes every node, signs a bigger tree with the log's
    own key and sends the proof of the forged tree: it does not lead to the root the witness holds."""
    log = Log(6)
    served = new_witness(tmp_path, log)
    cosigned(log, served, log.request(0))
    forged = Log(0, key=log.key)
    forged.tree.append(b"evenement0")
    forged.tree.append(b"evenement1 reecrit")
    forged.grow(7)
    with pytest.raises(witness.Refusal, match="n'est plus le début du journal") as refused:
        served.add_checkpoint(forged.request(6))
    assert refused.value.status == 422
    assert json.loads(served.state.path.read_text())[log.origin]["size"] == 6
    log.grow(3)  # the true log still grows under the witness's eye
    assert cosigned(log, served, log.request(6)).size == 9


@pytest.mark.parametrize(("case", "status", "message"), [
    ("altered", 403, "signature incorrecte de la clé"),
    ("unknown key", 403, "clé inconnue"),
    ("unknown origin", 404, "journal inconnu"),
    ("old size not the witness's", 409, "a cosigné en dernier 4"),
    ("truncated proof", 422, "trop courte"),
    ("old size above the size", 400, "supérieure à la taille"),
])
def test_the_witness_refuses_and_says_why(tmp_path, case, status, message):
    log = Log(4)
    served = new_witness(tmp_path, log)
    cosigned(log, served, log.request(0))
    log.grow(5)
    request = log.request(4)
    if case == "altered":  # the root changed after signing
        lines = request.note.split("\n")
        lines[2] = log.note(4).split("\n")[2]
        request = witness.Request(4, request.proof, "\n".join(lines))
    elif case == "unknown key":
        request = witness.Request(4, request.proof, Log(9, key=Ed25519PrivateKey.generate()).note())
    elif case == "unknown origin":
        request = witness.Request(4, request.proof, Log(9, origin="ailleurs.test/log").note())
    elif case == "old size not the witness's":
        request = log.request(2)
    elif case == "truncated proof":
        request = witness.Request(4, request.proof[:-1], request.note)
    else:
        request = witness.Request(12, [], request.note)
    with pytest.raises(witness.Refusal, match=message) as refused:
        served.add_checkpoint(request)
    assert refused.value.status == status
    assert refused.value.size == (4 if status == 409 else None)
    assert json.loads(served.state.path.read_text())[log.origin]["size"] == 4


@pytest.mark.parametrize("body", [b"", b"old 01\n\nx\n", b"old 2\nAAAA\n\nx\n", b"\xff",
                                  b"old 1\n" + b"x\n" * 64 + b"\n"])
def test_a_malformed_request_is_refused(body):
    with pytest.raises(witness.Refusal, match="mal formée") as refused:
        witness.parse_request(body)
    assert refused.value.status == 400


def test_the_request_body_is_tlog_witness_s(tmp_path):
    log = Log(5)
    request = witness.Request(3, log.tree.consistency_proof(3, 5), log.note())
    assert witness.parse_request(request.body()) == request
    assert request.body().startswith(b"old 3\n") and b"\n\n" + log.note().encode() in request.body()


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failed_write_leaves_the_former_state_and_cosigns_nothing(tmp_path, monkeypatch, failing):
    log = Log(2)
    served = new_witness(tmp_path, log)
    cosigned(log, served, log.request(0))
    before = served.state.path.read_bytes()
    log.grow(2)

    def crash(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, crash)
    with pytest.raises(witness.WitnessError, match="rien n'a été cosigné"):
        served.add_checkpoint(log.request(2))
    monkeypatch.undo()
    assert served.state.path.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".")) == []
    assert cosigned(log, served, log.request(2)).size == 4  # the witness goes on from its former state


def post(url: str, body: bytes) -> tuple[int, str, str]:
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 (a test's own server)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (a test's own server)
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers["Content-Type"], error.read().decode()


def test_the_http_api(tmp_path):
    log = Log(3)
    served = new_witness(tmp_path, log)
    with serving(served) as url:
        status, _, answer = post(f"{url}/add-checkpoint", log.request(0).body())
        assert status == 200
        proofs.open_checkpoint(log.note() + answer, [log.verifier_key, cosigner_key(served)], quorum=1)
        log.grow(2)
        assert post(f"{url}/add-checkpoint", log.request(1).body()) == (409, "text/x.tlog.size", "3\n")
        status, _, answer = post(f"{url}/add-checkpoint", witness.Request(3, [], log.note()).body())
        assert (status, answer) == (422, "point de contrôle refusé : preuve de cohérence vide\n")
        assert post(f"{url}/add-checkpoint", b"old x\n")[0] == 400
        assert post(f"{url}/autre", b"")[0] == 404
        assert post(f"{url}/add-checkpoint", log.request(3).body())[0] == 200
    assert json.loads(served.state.path.read_text())[log.origin]["size"] == 5


def run_witness(*args: str, stdin: bytes = b"", cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-I", str(WITNESS_PY), *args], input=stdin, cwd=cwd,  # noqa: S603
                          capture_output=True, timeout=60, check=False)


def test_the_program_runs_alone(tmp_path):
    """``python -I audit/witness.py``: no project on the path, no settings, no Django loaded."""
    log = Log(4)
    made = run_witness("generer-cle", "--nom", "inspection.test/temoin", "--cle", "cle", cwd=tmp_path)
    assert made.returncode == 0, made.stderr.decode()
    verifier = proofs.VerifierKey.parse(made.stdout.decode().splitlines()[-1])
    assert oct((tmp_path / "cle").stat().st_mode & 0o777) == "0o600"
    options = ("--cle", "cle", "--etat", "etat.json", "--journal", log.verifier_key_text)
    first = run_witness("cosigner", *options, stdin=log.request(0).body(), cwd=tmp_path)
    assert first.returncode == 0, first.stderr.decode()
    proofs.open_checkpoint(log.note() + first.stdout.decode(), [log.verifier_key, verifier], quorum=1)
    log.grow(3)
    (tmp_path / "point").write_text(log.note())
    proof = [value.hex() for value in log.tree.consistency_proof(4, 7)]
    (tmp_path / "preuve.json").write_text(json.dumps({"old_size": 4, "new_size": 7, "proof": proof}))
    grown = run_witness("cosigner", *options, "--point", "point", "--preuve", "preuve.json", cwd=tmp_path)
    assert grown.returncode == 0, grown.stderr.decode()
    conflict = run_witness("cosigner", *options, "--point", "point", cwd=tmp_path)
    assert conflict.returncode == 5
    assert conflict.stderr.decode() == "REFUS : le témoin a cosigné en dernier 7 événements de ce journal, pas 0.\n"
    again = run_witness("generer-cle", "--nom", "x", "--cle", "cle", cwd=tmp_path)
    assert again.returncode == 1 and "existe déjà" in again.stderr.decode()
    loaded = subprocess.run([sys.executable, "-I", "-c", (  # noqa: S603
        "import runpy, sys\nsys.argv = ['witness.py', '--help']\n"
        f"try:\n    runpy.run_path({str(WITNESS_PY)!r}, run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print(sorted({name.split('.')[0] for name in sys.modules} & {'django', 'audit', 'project'}))")],
        capture_output=True, timeout=60, check=True, cwd=tmp_path)
    assert loaded.stdout.decode().splitlines()[-1] == "[]"


def test_a_verifier_key_whose_base64_holds_a_plus_is_read():
    """Half of all keys hold a "+" in their base64: they name the log and the witnesses all the same."""
    key = next(key for key in iter(Ed25519PrivateKey.generate, None)
               if "+" in proofs.VerifierKey.text("journal.test/audit", key.public_key().public_bytes_raw()))
    text = proofs.VerifierKey.text("journal.test/audit", key.public_key().public_bytes_raw())
    assert proofs.VerifierKey.parse(text).key.public_bytes_raw() == key.public_key().public_bytes_raw()


def test_a_witness_killed_between_its_writes_keeps_its_former_state(tmp_path):
    """The process killed once the new state is on disk beside the old one, before the rename."""
    log = Log(2)
    (tmp_path / "cle").write_text(witness.new_key_text("temoin.test/w1"))
    options = ["cosigner", "--cle", "cle", "--etat", "etat.json", "--journal", log.verifier_key_text]
    assert run_witness(*options, stdin=log.request(0).body(), cwd=tmp_path).returncode == 0
    before = (tmp_path / "etat.json").read_bytes()
    log.grow(3)
    killed = subprocess.run([sys.executable, "-I", "-c", (  # noqa: S603
        f"import os, signal, sys\nsys.path.insert(0, {str(WITNESS_PY.parent)!r})\nimport witness\n"
        f"os.replace = lambda *args: os.kill(os.getpid(), signal.SIGKILL)\nwitness.main({options!r})")],
        input=log.request(2).body(), cwd=tmp_path, capture_output=True, timeout=60, check=False)
    assert killed.returncode == -9 and killed.stdout == b""  # nothing cosigned
    assert (tmp_path / "etat.json").read_bytes() == before
    assert run_witness(*options, stdin=log.request(2).body(), cwd=tmp_path).returncode == 0
