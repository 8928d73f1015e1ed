"""Backups that are proved: a `pg_dump` of a database holding cases, tasks, history,
a sealed trail and a note's attachment, restored with `pg_restore` into a new database and the
attachments' directory copied back, as docs/deploy.md says, gives back every row of every table;
`verify_audit` and `check_consistency` (every attachment's file, by its SHA-256) pass on it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

import audit
from audit import sealer
from cases import actions
from cases.models import Case, NoteAttachment, State
from demo.national import National
from organisation.models import Membership, Role
from ui.french import count

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def libpq(name: str) -> list[str]:
    db = connection.settings_dict
    return ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"], "-d", name]


def counts(name: str) -> dict[str, int]:
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=name, autocommit=True) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        return {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}  # noqa: S608


@pytest.fixture
def restored(tmp_path):
    """A new, empty database, dropped afterwards."""
    db = connection.settings_dict
    name = f"{db['NAME']}_restore"
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_dump_restored_into_a_new_database_holds_every_row_and_its_trail_verifies(restored, tmp_path, settings):
    settings.ATTACHMENTS_ROOT = tmp_path / "attachments"  # not the session's, which holds other tests' files
    with audit.acting(label="test"):
        National(cases=80, seed=5, reads=(1, 3), batch=40).run()
    case = Case.objects.filter(state=State.IN_CARE).select_related("departement").first()
    coordinator = Membership.objects.get(cell__departement=case.departement, role=Role.COORDINATOR).user
    actions.add_note(coordinator, case, text="Compte rendu joint.", visibility="cellule",
                     attachments=[SimpleUploadedFile("compte-rendu.pdf", b"%PDF-1.4\n%%EOF\n")])
    sealer.seal()  # as the sealer service would have by the night's dump (the after-commit seal is throttled)
    source = connection.settings_dict["NAME"]
    dump = tmp_path / "cellule.dump"
    subprocess.run(["pg_dump", "--format=custom", "--file", str(dump), *libpq(source)], check=True)  # noqa: S603,S607
    files = shutil.copytree(settings.ATTACHMENTS_ROOT, tmp_path / "pieces-jointes")  # the files, after the dump
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", *libpq(restored), str(dump)],  # noqa: S603,S607
                   check=True)

    before, after = counts(source), counts(restored)
    assert before["cases_case"] >= 80 and before["audit_seal"] == before["audit_event"] > 80 * 3
    assert after == before

    db = connection.settings_dict
    url = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{restored}"
    env = {**os.environ, "DATABASE_URL": url, "DEMO": "1", "ATTACHMENTS_ROOT": str(files)}

    def manage(*command: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, capture_output=True,  # noqa: S603
                              text=True, env=env)

    check = manage("verify_audit")
    assert check.returncode == 0, check.stderr
    assert count(before["audit_event"], "événement vérifié", "événements vérifiés") in check.stdout
    # Every invariant holds on the restored copy but the one file altered after the copy, which is named.
    stored = NoteAttachment.objects.get().stored_name
    (files / stored[:2] / stored).write_bytes(b"%PDF-1.4\n(altered)\n%%EOF\n")
    consistency = manage("check_consistency")
    broken = [line for line in consistency.stdout.splitlines() if line.startswith("✗")]
    assert consistency.returncode != 0 and len(broken) == 1, consistency.stdout
    assert f"pièce jointe de note {NoteAttachment.objects.get().pk}" in broken[0]
