"""The systemd units of deploy/systemd run commands that exist, with options their parsers accept
(docs/deploy.md, "Scheduled jobs")."""

import re
import shlex
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

UNITS = sorted((Path(__file__).resolve().parents[2] / "deploy" / "systemd").glob("*.service"))


def manage_commands() -> list[tuple[str, list[str]]]:
    found = []
    for unit in UNITS:
        start = re.search(r"^ExecStart=(.*)$", unit.read_text(), re.MULTILINE).group(1)
        words = shlex.split(start.replace("${AUDIT_CHECKPOINT_FILE}", "var/points.jsonl"))
        if "manage.py" in words:
            found.append((words[words.index("manage.py") + 1], words[words.index("manage.py") + 2:]))
    return found


def test_every_unit_starts_something():
    assert len(UNITS) == 9
    assert len(manage_commands()) == 8  # all but the web server's gunicorn


@pytest.mark.parametrize("name,arguments", manage_commands())
def test_each_units_command_and_options_exist(name, arguments):
    commands = get_commands()
    assert name in commands
    parser = load_command_class(commands[name], name).create_parser("manage.py", name)
    parser.parse_args(arguments)  # exits (SystemExit) on an unknown option
