"""No app names one drawn above it, in any of the ways ``lint-imports`` cannot see: a relation of its
models, a string naming a model or a table ("cases.Case", ``cases_case``), a migration's dependency,
a URL name (``"cases:detail"``, ``{% url 'cases:…' %}``), a reverse relation that an app above it
defined (``case.mobile_team_requests``). The layers are those of the import contracts
(``pyproject.toml``); apps of one layer ignore each other.

One indirection is allowed, as Django's own ``AUTH_USER_MODEL``: ``workflows`` is told its subject by
``settings.WORKFLOWS_SUBJECT_MODEL`` and names it nowhere; its relations and its first migration's
dependency reach the case through that setting only.
"""

import re
import tomllib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db.migrations.loader import MigrationLoader

ROOT = Path(settings.BASE_DIR)
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
LAYERS = [[app.strip() for app in layer.split("|")] for layer in next(
    contract for contract in CONTRACTS if contract["type"] == "layers")["layers"]]
# The subject of the workflows, given to them by the project's settings.
TOLD = {("workflows", settings.WORKFLOWS_SUBJECT_MODEL.split(".")[0])}


def above(app: str) -> set[str]:
    """The apps drawn above ``app``, and those of its own layer (which it must ignore)."""
    index = next(i for i, layer in enumerate(LAYERS) if app in layer)
    return {other for layer in LAYERS[:index + 1] for other in layer} - {app}


APPS = [app for layer in LAYERS for app in layer]


def references(app: str, text: str, higher: set[str]) -> list[str]:
    """The places in ``text`` (a file of ``app``) that name a model, a table or a URL name of ``higher``."""
    names = "|".join(sorted(higher, key=len, reverse=True))
    patterns = [
        rf"""["']({names})\.[A-Za-z_]+["']""",  # a model by its label
        rf"""["']({names}):[\w-]+["']""",  # a URL name
        rf"""\b(?:FROM|JOIN|UPDATE|INTO|TABLE)\s+"?({names})_[a-z]+""",  # a table, in SQL
    ]
    return [match.group(0) for pattern in patterns for match in re.finditer(pattern, text)]


def files(app: str):
    folder = ROOT / app
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".py", ".html", ".txt", ".sql") and "__pycache__" not in path.parts:
            yield path


def names(apps_: set[str], *, reverse_only: bool) -> set[str]:
    """The names by which models reach others: the reverse accessors that relations of ``apps_`` give
    to the models they point to, and unless ``reverse_only`` the fields of ``apps_``' own models."""
    found = set()
    for app in apps_:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                if field.auto_created:
                    continue
                if not reverse_only:
                    found.add(field.name)
                if field.is_relation and hasattr(field.remote_field, "get_accessor_name") and (
                        not reverse_only or field.related_model._meta.app_label not in apps_):
                    found.add(field.remote_field.get_accessor_name())
    return found - {None}


@pytest.mark.parametrize("app", APPS)
def test_no_app_names_one_above_it_in_its_files(app):
    higher = above(app)
    found = {str(path.relative_to(ROOT)): references(app, path.read_text(encoding="utf-8"), higher)
             for path in files(app)}
    assert {path: refs for path, refs in found.items() if refs} == {}


@pytest.mark.parametrize("app", APPS)
def test_no_app_uses_a_reverse_relation_an_app_above_it_defines(app):
    higher = {other for other in above(app) if apps.is_installed(other)}
    lower = {other for other in APPS if apps.is_installed(other)} - higher
    # A name the lower apps' models also have is no proof: the accessor must be the higher apps' only.
    theirs = names(higher, reverse_only=True) - names(lower, reverse_only=False)
    if not theirs:
        return
    pattern = re.compile(r"\.(" + "|".join(map(re.escape, sorted(theirs))) + r")\b")
    found = {}
    for path in files(app):
        if "migrations" not in path.parts and (hits := pattern.findall(path.read_text(encoding="utf-8"))):
            found[str(path.relative_to(ROOT))] = sorted(set(hits))
    assert found == {}


@pytest.mark.parametrize("app", [app for app in APPS if apps.is_installed(app)])
def test_no_model_or_migration_of_an_app_depends_on_one_above_it(app):
    higher = above(app)
    relations = [f"{model.__name__}.{field.name} -> {field.related_model._meta.label}"
                 for model in apps.get_app_config(app).get_models() for field in model._meta.get_fields()
                 if field.is_relation and not field.auto_created and field.related_model is not None
                 and field.related_model._meta.app_label in higher
                 and (app, field.related_model._meta.app_label) not in TOLD]
    assert relations == []
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    dependencies = [f"{name} -> {parent[0]}.{parent[1]}" for (label, name) in graph.nodes if label == app
                    for parent in graph.node_map[(label, name)].parents
                    if parent[0] in higher and (app, parent[0]) not in TOLD]
    assert dependencies == []


@pytest.mark.parametrize("planted", ['"cases.Case"', "'cases:detail'", "FROM cases_case WHERE",
                                     "{% url 'mobile_team:request' pk %}"])
def test_the_walk_finds_a_planted_reference(planted):
    """The check itself: a reference planted in a file of ``workflows`` is found."""
    text = (ROOT / "workflows" / "models.py").read_text(encoding="utf-8") + f"\nX = {planted!r}\n"
    assert references("workflows", text, above("workflows"))
