"""Who acts, and whom the policy is asked about, always has a type: every parameter named ``actor`` or
``user`` in the product is annotated (``organisation.policy.Actor``, ``Principal``, or ``User`` where a
person is needed), so that mypy checks what each function does with them. Read from the sources with
``ast``: no database, no import of the modules."""

import ast
import os
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
NAMES = {"actor", "user"}


def sources(root: Path) -> list[Path]:
    """The product's Python files under ``root``: not its tests, nor hidden folders (the virtualenv, caches)."""
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith(".")
                               and name != "__pycache__" and not (Path(folder) == root and name == "tests"))
        found += [Path(folder, name) for name in sorted(files) if name.endswith(".py")]
    return found


def unannotated(root: Path) -> list[str]:
    """``path:line: function(parameter)`` for each parameter named ``actor`` or ``user`` without a type."""
    missing = []
    for path in sources(root):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            args = node.args
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
                if arg is not None and arg.arg in NAMES and arg.annotation is None:
                    missing.append(f"{path.relative_to(root).as_posix()}:{node.lineno}: {node.name}({arg.arg})")
    return missing


def test_every_actor_and_user_parameter_is_typed():
    assert unannotated(ROOT) == []


def test_the_walk_finds_an_untyped_one(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "rules.py").write_text('''
def typed(user: "Principal", right: str, target: object) -> bool:
    return False

def predicate(user, right: str, target) -> bool:
    return False

def entry_point(
    actor,
    case: object,
) -> None:
    check = lambda user: user  # a lambda's parameters take no annotation

class Page:
    async def panel(self, case: object, *, user=None) -> dict:
        return {}
''', encoding="utf-8")
    for elsewhere in ("tests", ".venv"):  # neither the tests nor the virtualenv are the product
        (tmp_path / elsewhere).mkdir()
        (tmp_path / elsewhere / "helpers.py").write_text("def sign_in(user):\n    pass\n", encoding="utf-8")
    assert unannotated(tmp_path) == [
        "app/rules.py:5: predicate(user)",
        "app/rules.py:8: entry_point(actor)",
        "app/rules.py:15: panel(user)",
    ]
