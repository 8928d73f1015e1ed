"""Every script of ``bench/`` runs as committed: each in its tiny mode (``--tiny``), as a subprocess, on
a throwaway copy of the test database, exits 0 and prints JSON lines with the figures it names. What
they measure is not checked here (a tiny run measures nothing); that they still run is (issue 31)."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection, connections
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
STEPS = {"claim", "contact_family", "assign", "start_care", "review"}


def run(script: str, *args: str, database: str = "", **environment: str) -> list[dict]:
    """The script's JSON lines, after checking it exited 0 and printed nothing else."""
    env = {**os.environ, "DEMO": "1", **environment}
    if database:
        env["DATABASE_URL"] = url(database)
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines
    return [json.loads(line) for line in lines]


def url(database: str) -> str:
    settings = connection.settings_dict
    return (f"postgresql://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/"
            f"{database}")


def admin(*statements: sql.Composable) -> None:
    with psycopg.connect(url("postgres"), autocommit=True) as server:
        for statement in statements:
            server.execute(statement)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def copies(django_db_setup, django_db_blocker):
    """Two templates copied from the (migrated) test database: empty, and with the demo."""
    with django_db_blocker.unblock():
        test_database = connection.settings_dict["NAME"]
        names = {"empty": f"{test_database}_bench_empty", "demo": f"{test_database}_bench_demo"}
        connections.close_all()  # a database is copied only when no one is connected to it
        for name, template in ((names["empty"], test_database), (names["demo"], names["empty"])):
            admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)),
                  sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
        subprocess.run([sys.executable, "manage.py", "seed_demo"], cwd=ROOT, check=True, capture_output=True,  # noqa: S603
                       env={**os.environ, "DEMO": "1", "DATABASE_URL": url(names["demo"])}, timeout=240)
        made = []

        def copy(template: str) -> str:
            name = f"{test_database}_bench_{len(made)}"
            admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)),
                  sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name),
                                                                    sql.Identifier(names[template])))
            made.append(name)
            return name

        yield copy
        # audit_trail.py's own database is named after the one it is given.
        for name in [*made, *(f"{name}_bench_actuelle" for name in made), names["demo"], names["empty"]]:
            admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_matching_runs_in_memory():
    names = {line["name"] for line in run("matching.py", "--tiny")}
    assert {"baseline_exact.recall", "cases.matching.recall", "cases.matching.precision"} <= names


@pytest.mark.postgresql
@pytest.mark.django_db  # the test database, which the copies start from
def test_report_compares_with_its_baseline(copies):
    lines = run("report.py", "--tiny", database=copies("empty"))  # filled through seed_national
    assert {(line["name"], line["version"]) for line in lines} == {
        ("compute", "76f49bc"), ("compute", "current"), ("report_page", "current")}
    assert all(line["cases"] > 0 for line in lines)


@pytest.mark.postgresql
@pytest.mark.django_db  # the test database, which the copies start from
def test_transition_interleaves_with_the_bare_stack(copies):
    bare = copies("empty")
    lines = run("transition.py", "--tiny", "--bare-options", database=copies("demo"), BARE_DATABASE_URL=url(bare))
    assert {(line["request"], line["side"]) for line in lines} == {
        (step, side) for step in STEPS for side in ("bare", "bare_options", "ours", "ratio", "ratio_bare_options")}
    assert all(line["rounds"] == 2 for line in lines if not line["side"].startswith("ratio"))


@pytest.mark.postgresql
@pytest.mark.django_db  # the test database, which the copies start from
def test_pages_on_the_demo_then_a_national_set(copies):
    lines = run("pages.py", "--tiny", database=copies("demo"))
    assert {line["size"] for line in lines if "size" in line} == {
        "démo", "20 signalements", "20 signalements, jit = on"}
    assert sum("ratio_p95" in line for line in lines) == 19


@pytest.mark.postgresql
@pytest.mark.django_db  # the test database, which the copies start from
def test_pages_on_two_databases_in_turn(copies):
    lines = run("pages.py", "--tiny", "--against", copies("demo"), "--explain", database=copies("demo"))
    assert sum("ratio_p95" in line for line in lines) == 19
    measured = [line for line in lines if line["bench"] == "pages" and "size" in line]
    assert len(measured) == 19 * 2 * 3  # each page, on each database, three rounds
    plans = [line for line in lines if line["bench"] == "pages-plan"]  # each read explained, in the last round
    assert {line["page"] for line in plans} == {line["page"] for line in measured}
    assert all(line["buffers"] >= 0 and line["plan"] for line in plans)


@pytest.mark.postgresql
@pytest.mark.django_db  # the test database, which the copies start from
def test_audit_pages_explain_their_statements(copies):
    lines = run("audit_pages.py", "--tiny", database=copies("empty"))
    assert {"recherche, sans critère", "intégrité", "page d'un signalement (historique)"} <= {
        line["page"] for line in lines}


@pytest.mark.postgresql
@pytest.mark.django_db  # the test database, which the copies start from
def test_audit_trail_on_a_database_of_its_own(copies):
    empty = copies("empty")
    lines = run("audit_trail.py", "--tiny", "--template", empty, database=empty)
    assert {"trail_fill", "append_8_writers", "verify_full", "verify_incremental_100"} <= {
        line["name"] for line in lines}


@pytest.mark.postgresql
@pytest.mark.django_db  # the test database, which the copies start from
def test_load_counts_requests_and_actions_apart(copies):
    lines = run("load.py", "--tiny", "--port", str(free_port()), database=copies("demo"))
    totals = {line["profile"]: line for line in lines if "requests_per_s" in line}
    assert set(totals) == {"tasks", "mixed"}
    assert all(total["requests"] >= total["actions"] and "actions_per_s" in total for total in totals.values())
    # each failure named by its status (or the connection's exception), per kind and in the totals
    assert all(sum(line["errors_by_status"].values()) == line["errors"] for line in lines)
    assert {"recherche d'un nom", "api : signalement", "recherche dans le journal"} <= {
        line["request"] for line in lines if line["profile"] == "mixed" and "request" in line}


@pytest.mark.postgresql
@pytest.mark.django_db  # the test database, which the copies start from
def test_ceiling_gives_each_page_its_ratio_to_the_login_page(copies):
    lines = run("ceiling.py", "--tiny", "--port", str(free_port()), database=copies("demo"))
    summary = {line["page"]: line for line in lines if "rounds" in line}
    assert summary["page de connexion (anonyme)"]["ratio_to_login_min"] == 1
    assert len(summary) == 13
    assert not any(line["errors"] for line in lines if "errors" in line)


@pytest.mark.postgresql
@pytest.mark.django_db  # the test database, whose server the script makes its own database on
def test_verification_compares_with_the_previous_version():
    lines = run("verification.py", "--tiny", database=connection.settings_dict["NAME"])
    assert {line["label"] for line in lines if "label" in line} == {"actuelle", "antérieure 60598ce"}
    ratios = {line["name"] for line in lines if "ratio" in line}
    assert {"verify_full", "verify_incremental", "inclusion_proof", "consistency_proof"} <= ratios


@pytest.mark.postgresql
@pytest.mark.django_db  # the test database, which the copies start from
def test_page_profile_gives_each_page_its_cost_and_groups(copies):
    lines = run("page_profile.py", "--tiny", database=copies("demo"))
    costs = {line["page"]: line for line in lines if line["kind"] == "cost"}
    assert costs["page de connexion (anonyme)"]["ratio_to_login"] == 1
    assert len(costs) == 3 and all(line["queries"] for page, line in costs.items() if "anonyme" not in page)
    profiles = [line for line in lines if line["kind"] == "profile"]
    assert len(profiles) == 3
    assert all(set(line["groups_ms"]) == {"database", "orm", "forms", "templates", "middleware", "other"}
               and line["top_cumulative"] for line in profiles)
