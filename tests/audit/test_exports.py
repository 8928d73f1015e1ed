"""Exports of the trail (CSV, verifiable bundle) and signed checkpoints kept outside the database."""

import base64
import csv
import io
import json
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

import audit
from audit.exports import FORMULA_PREFIXES, csv_cell
from audit.models import Event
from audit.signing import public_key_text
from project.env import env_signing_key
from tests.audit.trail import tamper
from tests.cases.factories import CaseFactory, person_data

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@given(st.text())
def test_no_csv_cell_can_start_a_formula(text):
    cell = csv_cell(text)
    assert not cell.startswith(FORMULA_PREFIXES)
    assert cell == text or (cell == "'" + text and text.startswith(FORMULA_PREFIXES))


def test_the_csv_export_escapes_formulas_and_is_recorded(client, personas):
    case = CaseFactory(coordinator=personas.coord_a, person=person_data(commune="=HYPERLINK(\"http://x\")"))
    audit.record("test.injection", departement="93", details={"signalement": case.reference},
                 object_id="@SUM(A1)")
    client.force_login(personas.inspector)
    response = client.get(reverse("inspection:export_csv"), {"departement": "93"})
    assert response["Content-Disposition"].startswith('attachment; filename="journal-audit-')
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Rang", "Date et heure (heure de Paris)", "Auteur"]
    assert ["'@SUM(A1)"] == [row[10] for row in rows if row[8] == "test.injection"]
    assert not any(cell.startswith(FORMULA_PREFIXES) for row in rows for cell in row)
    export = Event.objects.get(action="export.audit_csv")
    assert (export.actor, export.departement) == (personas.inspector, "93")


@pytest.fixture
def bundle_file(client, personas, tmp_path):
    CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    CaseFactory(coordinator=personas.coord_b)
    CaseFactory(coordinator=personas.coord_a)
    client.force_login(personas.inspector)
    response = client.get(reverse("inspection:export_bundle"), {"departement": "93", "action": "case.intake"})
    path = tmp_path / "paquet.json"
    path.write_bytes(response.content)
    return path


def test_a_bundle_reverifies_offline(bundle_file):
    bundle = json.loads(bundle_file.read_text())
    assert bundle["events"] and all(e["departement"] == "93" for e in bundle["events"])
    assert len(bundle["links"]) > len(bundle["events"])  # the 69 events in between, as digests
    public_key = run("audit_public_key").strip()
    assert "Paquet d'audit intègre" in run("verify_audit", "--file", str(bundle_file), "--public-key", public_key)
    assert Event.objects.filter(action="export.audit_bundle").count() == 1


@pytest.mark.parametrize("where", ["event", "digest", "signature", "head"])
def test_changing_one_byte_of_a_bundle_fails(bundle_file, where):
    bundle = json.loads(bundle_file.read_text())
    if where == "event":
        bundle["events"][0]["action"] = bundle["events"][0]["action"][:-1] + "X"
    elif where == "digest":
        digest = bundle["links"][1]["digest"]
        bundle["links"][1]["digest"] = ("1" if digest[0] != "1" else "2") + digest[1:]
    elif where == "signature":
        signature = bundle["head"]["signature"]
        bundle["head"]["signature"] = ("A" if signature[0] != "A" else "B") + signature[1:]
    else:
        bundle["head"]["payload"]["events"] += 1
    bundle_file.write_text(json.dumps(bundle))
    with pytest.raises(CommandError, match="Paquet d'audit invalide"):
        run("verify_audit", "--file", str(bundle_file))


def test_a_bundle_fails_with_another_public_key(bundle_file):
    other_public = public_key_text(Ed25519PrivateKey.generate())
    with pytest.raises(CommandError, match="signature"):
        run("verify_audit", "--file", str(bundle_file), "--public-key", other_public)


def test_a_checkpoint_still_verifies_after_new_events_and_fails_after_a_rewrite(personas, tmp_path):
    CaseFactory(coordinator=personas.coord_a)
    checkpoint = tmp_path / "points.jsonl"
    assert "Point de contrôle signé" in run("audit_checkpoint", "--output", str(checkpoint))
    CaseFactory(coordinator=personas.coord_a)  # the trail grows after the checkpoint
    assert "1 point de contrôle présent et inchangé" in run("verify_audit", "--checkpoint", str(checkpoint))
    first = Event.objects.order_by("id").first()
    tamper("UPDATE audit_event SET action = %s WHERE id = %s", ["case.falsifie", first.pk])
    with pytest.raises(CommandError, match=f"#{first.pk} "):
        run("verify_audit", "--checkpoint", str(checkpoint))


def test_a_checkpoint_rewritten_with_its_whole_chain_is_caught_by_its_signature(personas, tmp_path):
    CaseFactory(coordinator=personas.coord_a)
    checkpoint = tmp_path / "points.jsonl"
    run("audit_checkpoint", "--output", str(checkpoint))
    note = json.loads(checkpoint.read_text())["note"].split("\n")
    note[2] = base64.b64encode(bytes(32)).decode()  # a forger who rebuilt the tree would need a new root
    checkpoint.write_text(json.dumps({"note": "\n".join(note)}))
    with pytest.raises(CommandError, match="signature incorrecte"):
        run("verify_audit", "--checkpoint", str(checkpoint))


def test_checkpoints_go_to_the_configured_file_and_addresses(personas, settings, tmp_path, run_queue):
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "points.jsonl")
    settings.AUDIT_CHECKPOINT_EMAILS = ["archives@interieur.gouv.fr"]
    run("audit_checkpoint")
    run("audit_checkpoint")
    assert len((tmp_path / "points.jsonl").read_text().splitlines()) == 2
    run_queue()  # the copies go through the e-mail queue
    assert [m.to for m in mail.outbox] == [["archives@interieur.gouv.fr"]] * 2


def test_a_malformed_signing_key_stops_start_up():
    with pytest.raises(ImproperlyConfigured, match="^AUDIT_SIGNING_KEY"):
        env_signing_key({"AUDIT_SIGNING_KEY": "pas-une-cle"}, "AUDIT_SIGNING_KEY", None)
    assert env_signing_key({}, "AUDIT_SIGNING_KEY", None) == ""
