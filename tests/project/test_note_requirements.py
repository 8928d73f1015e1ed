"""docs/note-requirements.md lists the note's twenty-two requirements, each with the test that exercises it:
every test it names exists, so that the table cannot outlive the tests it points to."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "note-requirements.md"


def named_tests() -> list[tuple[str, str]]:
    return re.findall(r"`([\w/]+\.py)(?:::(\w+))?`", DOC.read_text())


def test_every_requirement_has_its_row_and_a_test():
    rows = [line for line in DOC.read_text().splitlines() if re.match(r"\| \d+ \|", line)]
    assert [int(row.split("|")[1]) for row in rows] == list(range(1, 23))
    assert all(".py" in row.split("|")[4] for row in rows), [row for row in rows if ".py" not in row.split("|")[4]]


def test_every_test_named_exists():
    missing = [f"{path}::{name}" for path, name in named_tests()
               if not (ROOT / "tests" / path).exists()
               or (name and not re.search(rf"^def {name}\(", (ROOT / "tests" / path).read_text(), re.M))]
    assert len(named_tests()) >= 22 and missing == []
