"""No view decides by role: every decision goes through the access policy (``organisation.policy``
and each app's ``rules.py``). A view may name a role to show it (a label, the home page of the role
that speaks for the user), never compare one to decide."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from tests.project.test_coupling import APPS

ROOT = Path(settings.BASE_DIR)


def view_modules() -> list[Path]:
    found = []
    for app in APPS:
        folder = ROOT / app
        found += [path for path in folder.rglob("*.py") if "migrations" not in path.parts
                  and (path.stem.endswith("views") or path.parent.name == "views" or path.stem == "admin")]
    return sorted(found)


def _names_a_role(node: ast.AST) -> bool:
    """``Role.X``, ``Role.cell_roles()``, ``something.role``, ``something.roles``."""
    for child in ast.walk(node):
        if isinstance(child, ast.Attribute) and (child.attr in ("role", "roles") or (
                isinstance(child.value, ast.Name) and child.value.id == "Role")):
            return True
    return False


def role_comparisons(source: str) -> list[int]:
    """The lines where a comparison (``==``, ``in``, ``&`` of sets…) involves a role."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and any(_names_a_role(part) for part in [node.left, *node.comparators]):
            lines.append(node.lineno)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd) and _names_a_role(node):
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("path", view_modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_view_compares_roles(path):
    assert role_comparisons(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("decision", [
    "if Role.NATIONAL not in policy.scope(request.user).roles: raise X",
    "ok = membership.role == Role.COORDINATOR",
    "if not policy.scope(request.user).roles & ({Role.MOBILE_TEAM} | also): raise X",
    "coordinated = [m for m in memberships if m.role == Role.COORDINATOR]",
])
def test_the_walk_finds_a_decision_by_role(decision):
    assert role_comparisons(decision)
