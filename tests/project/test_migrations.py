"""Upgrades while the service runs (issue 17, item 7; docs/releases.md): no migration after the
first release locks a large table for a scan or a rewrite, or breaks the previous release still
serving during `migrate`, unless listed below with the reason. The checker itself is tested on
crafted operations."""

import pytest
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader

from tests.project.migration_safety import check, findings, plan, released

# Release 0.1.0, the first (docs/releases.md): its migrations only ever run on an empty database, at
# installation, never as an upgrade of a database in service. What they do is grandfathered.
FIRST_RELEASE = {
    "audit": "0005_checks_and_checkpoints",
    "organisation": "0006_membership_radicalisation_referent",
    "workflows": "0005_alter_casetask_flow_task_name",
    "cases": "0007_person_match_keys_signalements",
    "mobile_team": "0003_conversation",
    "cellule": "0002_meeting_closed_label",
    "inspection": "0001_trail_indexes",
    "reporting": "0003_report_sending",
    "retention": "0001_initial",
    "intake": "0001_initial",
}
# Findings of later migrations accepted, (app, migration, operation's index) -> why it is safe or
# how the release notes tell operators to run it (a maintenance window, a command first...).
ALLOWED: dict[tuple[str, str, int], str] = {}


@pytest.fixture(scope="module")
def loader():
    return MigrationLoader(None, ignore_no_migrations=True)


@pytest.fixture(scope="module")
def found(loader):
    return findings(loader)


def test_no_migration_after_the_first_release_locks_a_large_table_or_breaks_the_running_release(loader, found):
    shipped = released(loader, {app: name for app, name in FIRST_RELEASE.items() if (app, name) in loader.graph.nodes})
    new = [finding for finding in found if (finding.app, finding.migration) not in shipped
           and finding.key not in ALLOWED]
    assert new == [], "\n".join(map(str, new))


def test_the_first_release_s_heads_and_the_allowed_list_are_real(loader, found):
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
