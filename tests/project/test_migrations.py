"""Upgrades while the service runs (docs/releases.md): no migration after the
first release locks a large table for a scan or a rewrite, or breaks the previous release still
serving during `migrate`, unless listed below with the reason. The checker itself is tested on
crafted operations."""

import re
from pathlib import Path

import pytest
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader

from tests.project.migration_safety import check, findings, plan, released

ROOT = Path(__file__).resolve().parents[2]


def release_heads(version: str) -> dict[str, str]:
    """The migrations' heads a version shipped, from its "Migrations:" line in docs/releases.md."""
    notes = (ROOT / "docs" / "releases.md").read_text(encoding="utf-8")
    section = notes.split(f"\n## {version} ", 1)[1].split("\n## ", 1)[0]
    line = section.split("\nMigrations: ", 1)[1].split("\n\n", 1)[0]
    return dict(head.split(".", 1) for head in re.findall(r"`([a-z_]+\.[0-9]{4}_\w+)`", line))


# Release 0.1.0, the first: its migrations only ever run on an empty database, at installation, never
# as an upgrade of a database in service. What they do is grandfathered.
FIRST_RELEASE = release_heads("0.1.0")
# Findings of later migrations accepted, (app, migration, operation's index) -> why it is safe or
# how the release notes tell operators to run it (a maintenance window, a command first...).
ALLOWED: dict[tuple[str, str, int], str] = {
    ("audit", "0006_transaction_set_by_the_database_and_sealer_turn", 0):
        "creates a trigger on audit_event (a brief lock, no scan) and a one-row table (docs/releases.md)",
    # The young person across their cases: the case points to its person instead of the reverse, which the
    # running version cannot follow; docs/releases.md runs it in a maintenance window (the service stopped).
    **{("cases", "0011_person_across_cases", index): "a maintenance window (docs/releases.md)"
       for index in range(1, 10)},
    # The family: relatives move from the case to the family of its young person, in the same window.
    **{("cases", "0015_family", index): "a maintenance window (docs/releases.md)"
       for index in (*range(1, 5), *range(6, 14))},
    # Reference data inserted into small tables (six territories; the charter's first version): rows added,
    # no table rewritten, nothing the running release reads differently.
    ("organisation", "0010_overseas", 2): "inserts the six collectivités into the départements' table (107 rows)",
    ("charter", "0002_version_1", 0): "inserts the charter's first version into its new table",
    # The Merkle tree of an existing trail: reads the events and seals (no lock beyond a read), writes only
    # its new table; on a large trail it takes minutes (docs/releases.md), while the service may run.
    ("audit", "0008_merkle_tree", 1): "builds the new tree table from the trail, reading it only",
    # Triggers replaced on audit_event and audit_seal (a lock of an instant each, no scan), as in 0006.
    ("audit", "0009_trail_archive", 1): "replaces the trail's delete triggers: a brief lock, no scan",
    # The search tokens' département filled from their young person, 5,000 people a transaction (each batch
    # locks only the rows it updates, briefly) while the running release keeps reading and writing.
    ("cases", "0022_search_tokens_by_departement", 1): "fills the new column in batches, one transaction each",
    # Statistics of two columns of the tasks together: no scan, no write to the table, a lock that lets reads and
    # writes through; then ANALYZE's sample of the table (0.4 s at 1.4 million tasks), under the same lock.
    ("workflows", "0012_task_status_and_owner_statistics", 0): "CREATE STATISTICS and ANALYZE, reads and writes go on",
}


@pytest.fixture(scope="module")
def loader():
    return MigrationLoader(None, ignore_no_migrations=True)


@pytest.fixture(scope="module")
def found(loader):
    return findings(loader)


def test_no_migration_after_the_first_release_locks_a_large_table_or_breaks_the_running_release(loader, found):
    shipped = released(loader, FIRST_RELEASE)
    new = [finding for finding in found if (finding.app, finding.migration) not in shipped
           and finding.key not in ALLOWED]
    assert new == [], "\n".join(map(str, new))


def test_the_first_release_s_heads_and_the_allowed_list_are_real(loader, found):
    assert len(FIRST_RELEASE) >= 9
    for app, name in FIRST_RELEASE.items():
        assert (app, name) in loader.graph.nodes, f"{app}.{name}"
    assert set(ALLOWED) <= {finding.key for finding in found}, "an allowed entry no longer matches any finding"
    assert len(found) > 10  # the first release's own, grandfathered: the checker does see them


@pytest.fixture(scope="module")
def state(loader):
    """The models as the latest migrations leave them."""
    return loader.project_state(nodes=None, at_end=True)


@pytest.mark.parametrize("operation,problem", [
    (migrations.AddField("case", "priority", models.IntegerField(default=0)), "NOT NULL sans valeur par défaut"),
    (migrations.AddField("case", "flag", models.BooleanField(null=True, db_index=True)), "sans CONCURRENTLY"),
    (migrations.AddIndex("case", models.Index(fields=["received_on"], name="case_received_idx")), "sous verrou"),
    (migrations.AddConstraint("case", models.CheckConstraint(condition=models.Q(pk__gt=0), name="case_pk_check")),
     "sous verrou"),
    (migrations.AlterField("case", "facts", models.IntegerField(default=0)), "type de colonne changé"),
    (migrations.RemoveField("case", "facts"), "en deux versions"),
    (migrations.RenameField("case", "facts", "faits"), "en deux versions"),
    (migrations.RunSQL("UPDATE cases_case SET facts = ''"), "RunSQL/RunPython"),
])
def test_the_checker_finds_what_locks_or_breaks(state, operation, problem):
    table, problems = check(operation, "cases", state.clone())
    assert table in {"cases_case", "-"} and any(problem in text for text in problems), problems


@pytest.mark.parametrize("operation", [
    migrations.AddField("case", "priority", models.IntegerField(null=True)),
    migrations.AddField("case", "rank", models.IntegerField(db_default=0)),
    AddIndexConcurrently("case", models.Index(fields=["received_on"], name="case_received_idx")),
    migrations.AlterField("case", "facts", models.TextField(verbose_name="Faits rapportés", blank=True)),
    migrations.CreateModel("Priority", [("id", models.BigAutoField(primary_key=True))]),
])
def test_the_checker_lets_what_is_safe_through(state, operation):
    assert check(operation, "cases", state.clone())[1] == []


def test_every_migration_is_read(loader):
    assert len(plan(loader)) == len(loader.graph.nodes)
