"""The environment file (`.env`, or ENV_FILE) read by the settings, and the README's table of
variables, which names every variable the settings read and nothing they do not."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from project.env import read_env_file

ROOT = Path(__file__).resolve().parents[2]
RETIRED = {"AUDIT_TRUST_X_FORWARDED_FOR"}  # read only to say what replaced it


def test_names_values_quotes_and_comments(tmp_path):
    path = tmp_path / "cellule.env"
    path.write_text("# production\n\nSECRET_KEY=a=b#c\n  DEBUG = 0  \nLEGAL_HOSTING=\"Hébergeur, 1 rue X\"\n"
                    "EMPTY=\nQUOTED='$HOME'\n", encoding="utf-8")
    assert read_env_file(path, required=True) == {"SECRET_KEY": "a=b#c", "DEBUG": "0",
                                                  "LEGAL_HOSTING": "Hébergeur, 1 rue X", "EMPTY": "",
                                                  "QUOTED": "$HOME"}


def test_a_missing_file_counts_only_when_named(tmp_path):
    assert read_env_file(tmp_path / ".env", required=False) == {}
    with pytest.raises(ImproperlyConfigured, match="ENV_FILE"):
        read_env_file(tmp_path / ".env", required=True)


@pytest.mark.parametrize("line", ["export SECRET_KEY=secret-value", "SECRET_KEY secret-value",
                                  "SECRET-KEY=secret-value", 'SECRET_KEY="secret-value',
                                  r"SECRET_KEY=secret\value", "SECRET_KEY=secret-value\\"])
def test_a_malformed_line_stops_with_its_number_never_its_value(tmp_path, line):
    path = tmp_path / "cellule.env"
    path.write_text(f"DEBUG=0\n{line}\n", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured) as error:
        read_env_file(path, required=True)
    assert str(error.value).startswith("ENV_FILE") and "ligne 2" in str(error.value)
    assert "secret" not in str(error.value).replace("ENV_FILE", "")


def run_check(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "shell", "-v", "0", "-c",  # noqa: S603
                           "from django.conf import settings; print(settings.DEMO, settings.ALLOWED_HOSTS)"],
                          cwd=ROOT, env={"PATH": os.environ["PATH"], **env}, capture_output=True, text=True,
                          timeout=60)


def test_manage_py_runs_outside_demo_mode_with_nothing_exported_but_the_file(tmp_path):
    path = tmp_path / "cellule.env"
    path.write_text(f"SECRET_KEY={'x' * 50}\nATTACHMENTS_ROOT={tmp_path / 'pj'}\nALLOWED_HOSTS=cellule.example\n"
                    f"DATABASE_URL=sqlite:///{tmp_path / 'db.sqlite3'}\n", encoding="utf-8")
    result = run_check({"ENV_FILE": str(path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "['cellule.example']"]
    exported = run_check({"ENV_FILE": str(path), "ALLOWED_HOSTS": "autre.example"})  # the process's wins
    assert exported.stdout.split() == ["False", "['autre.example']"]
    missing = run_check({"ENV_FILE": str(tmp_path / "absent.env")})
    assert missing.returncode != 0 and "ENV_FILE" in missing.stderr


def readme_variables() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Variables d'environnement", 1)[1].split("\n## ", 1)[0]
    return {name for line in table.splitlines() if line.startswith("| `")
            for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", line.split("|")[1])}


def settings_variables() -> set[str]:
    source = "".join((ROOT / "project" / name).read_text(encoding="utf-8") for name in ("settings.py", "env.py"))
    read = set(re.findall(r'\b(?:ENV|env|os\.environ)(?:\.get\(|\[|, )"([A-Z][A-Z0-9_]*)"', source))
    return read | set(re.findall(r'"([A-Z][A-Z0-9_]*)" (?:not )?in (?:ENV|env|os\.environ)\b', source))


def test_the_readme_names_every_variable_the_settings_read_and_no_other():
    read, documented = settings_variables() - RETIRED, readme_variables()
    assert len(read) > 40
    assert read - documented == set(), "variables read by the settings but missing from the README's table"
    assert documented - read == set(), "variables of the README's table that the settings do not read"
