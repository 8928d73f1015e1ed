"""Access receipts: a person's export proves each event of their file is in the trail, against the
latest checkpoint, and the stand-alone verifier checks them (in its own process) without any other
event; an altered receipt is refused."""

import io
import json
import zipfile

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.urls import reverse

from audit import proofs, tree
from audit.models import Event
from tests.audit.test_proofs_cli import accepted, refused
from tests.audit.trail import run
from tests.cases.factories import CaseFactory
from tests.conftest import build_personas


@pytest.fixture
def exported(db, client, settings, tmp_path):
    """A young person's file read twice before a checkpoint and once after, and other events around;
    their export's receipts (as a file) and the log's verifier key."""
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "points.jsonl")
    personas = build_personas()
    case, other = CaseFactory(coordinator=personas.coord_a), CaseFactory(coordinator=personas.coord_a)
    client.force_login(personas.coord_a)
    for read in (case, other, case):
        assert client.get(reverse("cases:detail", args=[read.pk])).status_code == 200
    run("audit_checkpoint")
    client.get(reverse("cases:detail", args=[case.pk]))  # after the checkpoint: not covered yet
    response = client.get(reverse("retention:export", args=[case.pk, "jeune", case.person.pk]))
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        receipts = json.loads(archive.read("recus_de_consultation.json"))
        assert "python proofs.py recus" in archive.read("recus_de_consultation_LISEZMOI.txt").decode()
    path = tmp_path / "recus.json"
    path.write_text(json.dumps(receipts))
    return path, receipts, run("audit_public_key", "--note").strip(), case, other


def test_the_verifier_checks_every_receipt_of_the_export(exported):
    path, receipts, key, case, other = exported
    about = {str(case.pk)}
    assert receipts["receipts"] and all(item["event"]["object_id"] in about for item in receipts["receipts"])
    views = [item for item in receipts["receipts"] if item["event"]["action"] == "case.view"]
    assert len(views) == 2  # the two reads before the checkpoint; the other case's read is in no receipt
    assert [item["event"]["action"] for item in receipts["pending"]] == ["case.view"]
    assert receipts["verifier_key"] == key
    out = accepted("recus", str(path), "--cle", key)
    assert f"{len(receipts['receipts'])} reçus vérifiés" in out
    assert "1 événement pas encore couvert" in out
    assert not any(str(other.pk) == item["event"]["object_id"] for item in receipts["receipts"])


def altered(path, receipts, change) -> str:
    copy = json.loads(json.dumps(receipts))
    change(copy)
    path.write_text(json.dumps(copy))
    return str(path)


def test_an_altered_receipt_is_refused(exported):
    path, receipts, key, case, other = exported
    another = Event.objects.filter(object_id=str(other.pk), action="case.view").get()
    columns = {name: getattr(another, name) for name in proofs.EVENT_FIELDS}
    columns["time"] = another.time.isoformat()

    def other_event(copy):  # another event's data under this receipt's proof
        copy["receipts"][0]["event"] = {**columns, "id": another.pk}

    def changed_hash(copy):
        first = copy["receipts"][0]["proof"][0]
        copy["receipts"][0]["proof"][0] = ("0" if first[0] != "0" else "1") + first[1:]

    def changed_detail(copy):
        copy["receipts"][0]["event"]["actor_label"] += " "

    for change in (other_event, changed_hash, changed_detail):
        assert "preuve d'inclusion" in refused("recus", altered(path, receipts, change), "--cle", key)


def test_a_checkpoint_of_another_log_is_refused(exported):
    path, receipts, key, case, other = exported
    size = receipts["receipts"][0]["size"]
    # A fixed key: VerifierKey.parse (audit/proofs.py) refuses a key whose base64 holds a « + », as random ones may.
    stranger = Ed25519PrivateKey.from_private_bytes(bytes([1]) * 32)
    note = proofs.sign_note(proofs.checkpoint_text("autre-journal.example/log", size, tree.root(size)),
                            "autre-journal.example/log", stranger)
    error = refused("recus", altered(path, receipts, lambda copy: copy.update(checkpoint=note)), "--cle", key)
    assert "clé inconnue" in error
    # Given that log's key too, its tree is not the one the receipts were proven in.
    stranger_key = proofs.VerifierKey.text("autre-journal.example/log", stranger.public_key().public_bytes_raw())
    forged = proofs.sign_note(proofs.checkpoint_text("autre-journal.example/log", size, bytes(32)),
                              "autre-journal.example/log", stranger)
    assert "preuve d'inclusion fausse" in refused(
        "recus", altered(path, receipts, lambda copy: copy.update(checkpoint=forged)), "--cle", stranger_key)


def test_without_a_checkpoint_every_event_waits_and_the_export_still_opens(db, client, settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "points.jsonl")
    (tmp_path / "points.jsonl").write_text("")
    personas = build_personas()
    case = CaseFactory(coordinator=personas.coord_a)
    client.force_login(personas.coord_a)
    client.get(reverse("cases:detail", args=[case.pk]))
    response = client.get(reverse("retention:export", args=[case.pk, "jeune", case.person.pk]))
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        receipts = json.loads(archive.read("recus_de_consultation.json"))
    assert receipts["checkpoint"] is None and receipts["receipts"] == [] and receipts["pending"]
    path = tmp_path / "recus.json"
    path.write_text(json.dumps(receipts))
    assert "pas encore couvert" in accepted("recus", str(path), "--cle", run("audit_public_key", "--note").strip())
