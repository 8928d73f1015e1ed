"""The monthly report of one département at national size: ``reporting.figures.compute`` and the report page.

Run by hand on whatever database DATABASE_URL points to (PostgreSQL to mean anything), for example:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cellule_report .venv/bin/python bench/report.py

The test suite runs it with ``--tiny`` (a few cases, two runs) so that it keeps working. If the database
holds no case, it is filled first with ``seed_national`` (``--cases``, 200 per département by default,
received over two years, each with its history up to today). The baseline is the previous version of
``reporting/figures.py`` (``--baseline``, read from git), measured in the same run on the same data, its
figures checked equal to today's (those it computes). One JSON line per measure: p50 and p95 in ms and
the queries of one call, for the last month and for the first month of the data, whose figures must not
depend on how many months came before.
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DEMO", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases.models import Case  # noqa: E402
from organisation.models import Departement, Membership, Role  # noqa: E402
from reporting import figures  # noqa: E402

CASES, DAYS = 20200, 730  # 200 cases a département, received over two years
TINY = {"cases": 101, "runs": 2}  # CI's run: that the script works, not what it measures
BEFORE = "76f49bc"  # the last version that replayed a département's whole history


def fill(cases: int) -> None:
    """The national data set of ``seed_national``: every case's story through its history rows, as the
    entry points leave them (the cellules, their people and the demo's accounts included)."""
    call_command("seed_national", cases=cases, days=DAYS, verbosity=0, stdout=io.StringIO())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does to tables this size
            cursor.execute("VACUUM ANALYZE cases_case")
            cursor.execute("VACUUM ANALYZE cases_historicalcase")


def known(figures_now, figures_before):
    """The figures of now that the baseline also computes: the keys added since (the composition's
    detail, for one) have nothing to be compared with."""
    if isinstance(figures_now, dict) and isinstance(figures_before, dict):
        return {key: known(value, figures_before[key]) for key, value in figures_now.items() if key in figures_before}
    return figures_now


def previous_version(revision: str) -> types.ModuleType:
    """``reporting/figures.py`` as it was at ``revision``, imported under another name."""
    source = subprocess.run(["git", "show", f"{revision}:reporting/figures.py"],  # noqa: S603, S607 (by hand)
                            cwd=ROOT, check=True, capture_output=True, text=True).stdout
    module = types.ModuleType("figures_before")
    exec(compile(source, f"{revision}:reporting/figures.py", "exec"), module.__dict__)  # noqa: S102
    return module


def measure(name: str, run, runs: int, **labels) -> None:
    run()  # warm the caches and the connection
    reset_queries()  # a request empties the log as it starts: count from an empty log, and at once
    with CaptureQueriesContext(connection) as context:
        run()
    queries = len(context.captured_queries)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    print(json.dumps({"name": name, **labels, "p50_ms": round(statistics.median(times), 1),
                      "p95_ms": round(statistics.quantiles(times, n=20)[-1], 1),
                      "queries": queries, "runs": runs,
                      "cases": Case.objects.count(), "history_rows": Case.history.count(),
                      "departements": Departement.objects.count(), "database": connection.vendor}), flush=True)


def page(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        sys.exit(f"La page du compte rendu répond {response.status_code}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cases", type=int, default=CASES, help="jeu national créé si la base n'a aucun signalement")
    parser.add_argument("--baseline", default=BEFORE, help="git revision of the previous version")
    parser.add_argument("--tiny", action="store_true", help=f"quelques signalements, 2 mesures ({TINY})")
    args = parser.parse_args()
    if args.tiny:
        args.cases, args.runs = TINY["cases"], TINY["runs"]
    call_command("migrate", verbosity=0)
    if not Case.objects.exists():
        fill(args.cases)
    # The coordinator of Seine-Saint-Denis that seed_national (or the demo) made, charter accepted.
    membership = (Membership.objects.active().filter(role=Role.COORDINATOR, cell__departement__code="93")
                  .select_related("cell__departement", "user").order_by("pk").first())
    if membership is None:
        sys.exit("La base n'a pas de coordination en Seine-Saint-Denis : lancez seed_national ou seed_demo.")
    cell, coordinator = membership.cell, membership.user
    last = figures.Month(timezone.localdate().replace(day=1)).previous()
    first = figures.Month(Case.history.earliest("history_date").history_date.astimezone(figures.PARIS)
                          .date().replace(day=1))
    before = previous_version(args.baseline)
    for month in (first, last):
        for version, module in ((args.baseline, before), ("current", figures)):
            measure("compute", lambda m=module, mo=month: m.compute(cell, m.Month(mo.first)), args.runs,
                    version=version, departement="93", month=str(month))
        then = {**before.compute(cell, before.Month(month.first)), "computed_at": ""}
        if then != known({**figures.compute(cell, month), "computed_at": ""}, then):
            sys.exit(f"Les chiffres de {month} diffèrent de ceux de la version {args.baseline}.")
    setup_test_environment()
    settings.SECOND_FACTOR_REQUIRED = False  # the page is measured, not the sign-in
    client = Client()
    client.force_login(coordinator)
    url = reverse("reports:detail", args=[str(last)])
    measure("report_page", lambda: page(client, url), args.runs, version="current", departement="93",
            month=str(last))


if __name__ == "__main__":
    main()
