"""What a migration does to a database in service while the previous release keeps running on it
(docs/releases.md, "Upgrading"): each operation of the product's migrations is read, in the order
`migrate` applies them, against the models' state just before it.

An operation is a finding when it would hold a lock on a large table for as long as the table takes
to scan or rewrite (an index built without CONCURRENTLY, a column type changed, SET NOT NULL, a
constraint validated), or when the previous release, still serving during `migrate`, would fail on
the new schema (a NOT NULL column it does not fill, a column or table it still reads, removed or
renamed), or when it cannot be read at all (RunSQL, RunPython).
"""

from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import connection
from django.db.migrations import operations as ops
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState
from django.db.migrations.utils import resolve_relation
from django.db.models import NOT_PROVIDED

# Tables whose rows grow with the cases, the trail and the history: anything that scans them under a
# lock stops the service for minutes on a national database (docs/performance.md).
LARGE_TABLES = {"audit_event", "audit_seal", "workflows_caseprocess", "workflows_casetask", "viewflow_process",
                "viewflow_task"}
LARGE_PREFIXES = ("cases_",)


@dataclass(frozen=True)
class Finding:
    app: str
    migration: str
    index: int  # the operation's position in the migration
    table: str
    problem: str

    @property
    def key(self) -> tuple[str, str, int]:
        return self.app, self.migration, self.index

    def __str__(self) -> str:
        return f"{self.app}.{self.migration} opération {self.index} ({self.table}) : {self.problem}"


def large(table: str) -> bool:
    return table in LARGE_TABLES or table.startswith(LARGE_PREFIXES) or "_historical" in table


def product_apps() -> set[str]:
    root = Path(settings.BASE_DIR)
    return {config.label for config in apps.get_app_configs() if Path(config.path).parent == root}


def table_of(state: ProjectState, app: str, model: str) -> str:
    options = state.models[app, model.lower()].options
    return options.get("db_table") or f"{app}_{model.lower()}"


def _column_type(field) -> str | None:
    return field.db_parameters(connection)["type"]


def _widened(old: str | None, new: str | None) -> bool:
    """varchar(n) to a longer varchar or to text: a change of the catalogue only, no rewrite."""
    if old is None or new is None or not old.startswith("varchar("):
        return False
    if new == "text":
        return True
    return new.startswith("varchar(") and int(new[8:-1]) >= int(old[8:-1])


def _indexed(field) -> bool:
    return bool(field.db_index or field.unique) and not field.primary_key


def field_problems(old, new, table: str) -> list[str]:
    """An AlterField's effects, given the field before and after."""
    problems = []
    before, after = _column_type(old), _column_type(new)
    if before != after and not _widened(before, after):
        problems.append(f"type de colonne changé ({before} → {after}) : la table est réécrite sous verrou")
    if old.null and not new.null and large(table):
        problems.append("SET NOT NULL : toute la table est lue sous verrou exclusif")
    if _indexed(new) and not _indexed(old) and large(table):
        problems.append("index créé sans CONCURRENTLY sur une grande table")
    return problems


def operation_problems(operation, app: str, state: ProjectState) -> tuple[str, list[str]]:
    """The table an operation touches and what is wrong with it (nothing for the safe ones)."""
    if isinstance(operation, ops.SeparateDatabaseAndState):
        found = [operation_problems(inner, app, state) for inner in operation.database_operations]
        return (found[0][0] if found else "-"), [problem for _, problems in found for problem in problems]
    if isinstance(operation, ops.RunSQL | ops.RunPython):
        return "-", ["RunSQL/RunPython : ce qu'il verrouille ne se lit pas ; à justifier dans la liste"]
    if isinstance(operation, ops.CreateModel | AddIndexConcurrently | RemoveIndexConcurrently):
        return "-", []
    model = getattr(operation, "model_name", None) or getattr(operation, "name", None) or getattr(
        operation, "old_name", None)
    table = table_of(state, app, model)
    if isinstance(operation, ops.AddField):
        field, problems = operation.field, []
        if field.many_to_many:
            return table, []
        if not field.null and field.db_default is NOT_PROVIDED:
            problems.append("colonne NOT NULL sans valeur par défaut en base (db_default) : les INSERT de la "
                            "version précédente, encore en service, échouent")
        if _indexed(field) and large(table):
            problems.append("index créé sans CONCURRENTLY sur une grande table")
        return table, problems
    if isinstance(operation, ops.AlterField):  # its fields, rendered, are handed over by findings()
        return table, []
    if isinstance(operation, ops.AddIndex | ops.AddConstraint | ops.AlterUniqueTogether | ops.AlterIndexTogether):
        return table, ["index ou contrainte construit sous verrou sur une grande table (AddIndexConcurrently, "
                       "ou contrainte NOT VALID puis VALIDATE)"] if large(table) else []
    if isinstance(operation, ops.RemoveField | ops.RenameField | ops.DeleteModel | ops.RenameModel
                  | ops.AlterModelTable):
        return table, ["la version précédente, encore en service pendant la migration, lit ce qui disparaît : "
                       "en deux versions (ne plus s'en servir, puis le retirer)"]
    return table, []


def state_field(state: ProjectState, app: str, model: str, name: str):
    """A field as the state holds it, named as its model's would be. The state's models are never rendered:
    once they are, each later operation renders again every model related to the one it changes, which
    made this walk cost as much as a migrate."""
    field = state.models[app, model.lower()].fields[name].clone()
    field.set_attributes_from_name(name)
    if field.is_relation and not field.many_to_many:  # its column is of the type of the key it points to
        target = state.models[resolve_relation(field.remote_field.model, app, model.lower())]
        key = field.to_fields[0] if field.to_fields and field.to_fields[0] else next(
            name for name, candidate in target.fields.items() if candidate.primary_key)
        field.db_parameters = lambda connection: {"type": state_field(state, target.app_label, target.name, key)
                                                  .rel_db_type(connection)}
    return field


def check(operation, app: str, state: ProjectState) -> tuple[str, list[str]]:
    """An operation's table and problems, the state moved past it."""
    table, problems = operation_problems(operation, app, state)
    if not isinstance(operation, ops.AlterField):
        operation.state_forwards(app, state)
        return table, problems
    old = state_field(state, app, operation.model_name, operation.name)
    operation.state_forwards(app, state)
    return table, field_problems(old, state_field(state, app, operation.model_name, operation.name), table)


def findings(loader: MigrationLoader) -> list[Finding]:
    """Every finding of the product's migrations, in the order `migrate` applies them. A table the
    same migration creates is empty: nothing done to it counts."""
    ours = product_apps()
    state = ProjectState(real_apps=loader.unmigrated_apps)
    found = []
    for key in plan(loader):
        created = set()
        for index, operation in enumerate(loader.graph.nodes[key].operations):
            if key[0] not in ours:
                operation.state_forwards(key[0], state)
                continue
            table, problems = check(operation, key[0], state)
            if isinstance(operation, ops.CreateModel):
                created.add(table_of(state, key[0], operation.name))
            if table not in created:
                found += [Finding(key[0], key[1], index, table, problem) for problem in problems]
    return found


def plan(loader: MigrationLoader) -> list[tuple[str, str]]:
    """Every migration, each after those it depends on."""
    ordered, seen = [], set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for key in loader.graph.forwards_plan(leaf):
            if key not in seen:
                seen.add(key)
                ordered.append(key)
    return ordered


def released(loader: MigrationLoader, heads: dict[str, str]) -> set[tuple[str, str]]:
    """The migrations a release shipped: those its heads depend on."""
    return {key for app, name in heads.items() for key in loader.graph.forwards_plan((app, name))}
