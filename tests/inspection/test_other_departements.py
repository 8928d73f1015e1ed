"""An inspector reviews the trail of their mandate's départements and sees no reference of another's:
a transfer names the case on both sides, a case continued after a transfer names
the one it continues; the pages and the CSV show "(signalement d'un autre département)" instead, a
verifiable bundle leaves those events out and still verifies."""

import html
import json
import re
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.proofs import words
from cases import actions
from inspection.display import ELSEWHERE
from tests.cases.factories import CaseFactory

REFERENCE_69 = re.compile(r"69-\d{4}-\d{4}")


@pytest.fixture
def transfers(personas):
    """Two cases of the Rhône sent to Seine-Saint-Denis (the mandate's): one refused, one accepted; and
    a case of Seine-Saint-Denis's own."""
    CaseFactory(coordinator=personas.coord_a)
    refused, accepted = (CaseFactory(coordinator=personas.coord_b, referent=personas.member_b, in_care=True)
                         for _ in range(2))
    for case in (refused, accepted):
        actions.transfer(personas.coord_b, case, destination=personas.cell_a.departement, note="Déménagement.")
    actions.refuse_transfer(personas.coord_a, refused.transfer_requests.get(), reason="Pas de domicile ici.")
    continued = actions.accept_transfer(personas.coord_a, accepted.transfer_requests.get())
    return refused, accepted, continued


def get(client, user, url: str, **query) -> str:
    client.force_login(user)
    response = client.get(url, query)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_pages_name_no_case_of_another_departement(client, personas, transfers):
    refused, accepted, continued = transfers
    pages = {
        "search": get(client, personas.inspector, reverse("inspection:search")),
        "transfers": get(client, personas.inspector, reverse("inspection:search"), action="case.transfer_incoming"),
        "timeline": get(client, personas.inspector, reverse("inspection:case_timeline", args=[continued.reference])),
        "activity": get(client, personas.inspector, reverse("inspection:user_activity", args=["coord_a"])),
    }
    assert {name: REFERENCE_69.findall(page) for name, page in pages.items()} == dict.fromkeys(pages, [])
    assert f"Transfert entrant demandé — {ELSEWHERE}" in html.unescape(pages["transfers"])
    assert continued.reference in pages["timeline"]  # the mandate's own references stay


def test_the_exports_name_no_case_of_another_departement(client, personas, transfers, tmp_path):
    client.force_login(personas.inspector)
    csv = client.get(reverse("inspection:export_csv")).content.decode()
    assert "Transfert entrant refusé" in csv and REFERENCE_69.findall(csv) == [] and ELSEWHERE in csv
    assert "93-" in csv  # the mandate's own references stay
    bundle = client.get(reverse("inspection:export_bundle")).content
    assert REFERENCE_69.findall(bundle.decode()) == []
    # The events naming them are left out (their digests link the chain), the others are there.
    actions_ = [e["action"] for e in json.loads(bundle)["events"]]
    assert "case.intake" in actions_ and "case.transfer_incoming" not in actions_
    path = tmp_path / "paquet.json"
    path.write_bytes(bundle)
    out, key = StringIO(), StringIO()
    call_command("audit_public_key", stdout=key)
    call_command("verify_audit", "--file", str(path), "--public-key", key.getvalue().strip(), stdout=out)
    assert "Paquet d'audit intègre" in out.getvalue()


def test_the_bundles_receipts_pass_the_verifier_the_inspector_downloads(client, personas, transfers, tmp_path,
                                                                       settings):
    """After a checkpoint, each event of the bundle carries its inclusion proof; the verifier the search page
    offers checks them on its own (no Django, no database), refuses an altered one, and the events left out
    of the bundle have no receipt either."""
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "points.jsonl")
    call_command("audit_checkpoint", stdout=StringIO())
    client.force_login(personas.inspector)
    page = client.get(reverse("inspection:search")).content.decode()
    assert reverse("inspection:verifier") in page
    verifier = tmp_path / "verificateur_journal.py"
    verifier.write_bytes(client.get(reverse("inspection:verifier")).content)
    bundle = json.loads(client.get(reverse("inspection:export_bundle")).content)
    proven = [receipt["event"]["id"] for receipt in bundle["receipts"]["receipts"]]
    assert proven and sorted(proven) == sorted(event["id"] for event in bundle["events"] if event["seq"] <= max(
        receipt["index"] + 1 for receipt in bundle["receipts"]["receipts"]))
    key = bundle["receipts"]["verifier_key"]
    assert key in html.unescape(page)
    path = tmp_path / "paquet.json"

    def verify(content: dict) -> subprocess.CompletedProcess:
        path.write_text(json.dumps(content))
        return subprocess.run([sys.executable, "-I", str(verifier), "paquet", str(path), "--cle", key],  # noqa: S603
                              capture_output=True, text=True, env={"PYTHONPATH": ""}, check=False, timeout=60)

    done = verify(bundle)
    checked = words(len(proven), "reçu vérifié", "reçus vérifiés")
    assert done.returncode == 0 and f"paquet d'audit : {checked}" in done.stdout, done.stderr
    bundle["receipts"]["receipts"][0]["event"]["actor_label"] += "."
    done = verify(bundle)
    assert done.returncode == 1 and "reçu n° 1" in done.stderr and "preuve d'inclusion" in done.stderr
