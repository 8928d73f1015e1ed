"""The monthly report of one département at national size: ``reporting.figures.compute`` and the report page.

Run by hand, never by the test suite, on whatever database DATABASE_URL points to (PostgreSQL to mean
anything), for example:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cellule_report .venv/bin/python bench/report.py

If the database holds no case, it is filled first: 200 cases per département received over two years,
each moved through about ten history rows (closed, and some reopened) up to today. The baseline is the
previous version of ``reporting/figures.py`` (``--baseline``, read from git), measured in the same run on
the same data. One JSON line per measure: p50 and p95 in ms and the queries of one call, for the last
month and for the first month of the data, whose figures must not depend on how many months came
before.
"""

import argparse
import datetime
import json
import os
import random
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
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases.models import Case, ClosureReason, State  # noqa: E402
from organisation.models import Cell, Departement, Institution, Membership, Role  # noqa: E402
from reporting import figures  # noqa: E402

PER_DEPARTEMENT, DAYS, BATCH = 200, 730, 5000
BEFORE = "76f49bc"  # the last version that replayed a département's whole history
WALK = [State.FAMILY_CONTACTED, State.ASSIGNED, State.IN_CARE, State.MOBILE_TEAM_REQUESTED, State.IN_CARE]
REASONS = [reason for reason in ClosureReason.values if reason != ClosureReason.TRANSFERRED]


def timeline(draw: random.Random, received: datetime.datetime, now: datetime.datetime) -> list:
    """A case's (instant, state, closure reason) rows, from its intake to now: about ten."""
    rows, moment, state = [(received, State.RECEIVED, "")], received, State.RECEIVED
    while len(rows) < 12:
        moment += datetime.timedelta(days=draw.randint(3, 60), hours=draw.randint(0, 9))
        if moment >= now:
            break
        if state == State.CLOSED:
            state, reason = State.RECEIVED, ""  # reopened
        elif draw.random() < 0.25 or state == State.IN_CARE and draw.random() < 0.5:
            state, reason = State.CLOSED, draw.choice(REASONS)
        else:
            state, reason = WALK[min(WALK.index(state) + 1 if state in WALK else 0, len(WALK) - 1)], ""
        rows.append((moment, state, reason))
    return rows


def fill() -> None:
    """Cases and their history, written in bulk (their tasks and audit trail are not what is measured)."""
    draw, now = random.Random(12), timezone.now()  # noqa: S311 (the same data set from run to run, not a secret)
    historical, cases, history = Case.history.model, [], []
    for departement in Departement.objects.order_by("code"):
        for number in range(1, PER_DEPARTEMENT + 1):
            received = now - datetime.timedelta(days=draw.randrange(DAYS), hours=draw.randrange(24))
            rows = timeline(draw, received, now)
            fields = {"departement_id": departement.pk, "reference": f"{departement.code}-B{number:05d}",
                      "year": received.year, "number": number, "source": draw.choice(["cnapr", "ems", "other"]),
                      "received_on": timezone.localdate(received), "facts": "Propos inquiétants (banc d'essai).",
                      "created_at": received}
            case = Case(state=rows[-1][1], closure_reason=rows[-1][2], **fields)
            cases.append(case)
            history += [(case, step, *row) for step, row in enumerate(rows)]
    Case.objects.bulk_create(cases, batch_size=BATCH)
    historical.objects.bulk_create(
        [historical(id=case.pk, state=state, closure_reason=reason, history_date=moment,
                    history_type="~" if step else "+",
                    **{name: getattr(case, name) for name in ("departement_id", "reference", "year", "number",
                                                              "source", "received_on", "facts", "created_at")})
         for case, step, moment, state, reason in history], batch_size=BATCH)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does to tables this size
            cursor.execute("VACUUM ANALYZE cases_case")
            cursor.execute("VACUUM ANALYZE cases_historicalcase")


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
    parser.add_argument("--baseline", default=BEFORE, help="git revision of the previous version")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not Case.objects.exists():
        fill()
    seine = Departement.objects.get(code="93")
    cell = Cell.objects.filter(departement=seine).first() or Cell.objects.create(
        departement=seine, chair_function="prefet", meeting_periodicity="monthly")
    cell = Cell.objects.select_related("departement").get(pk=cell.pk)
    # Kept from one run to the next: its sign-in is in the audit trail, which keeps its actors.
    coordinator, _ = get_user_model().objects.get_or_create(username="bench-compte-rendu")
    institution, _ = Institution.objects.get_or_create(name="Préfecture (banc du compte rendu)", category="state")
    Membership.objects.get_or_create(user=coordinator, cell=cell, role=Role.COORDINATOR, defaults={
        "institution": institution, "function": "banc d'essai",
        "starts_on": timezone.localdate() - datetime.timedelta(days=DAYS)})
    last = figures.Month(timezone.localdate().replace(day=1)).previous()
    first = figures.Month(Case.history.earliest("history_date").history_date.astimezone(figures.PARIS)
                          .date().replace(day=1))
    before = previous_version(args.baseline)
    for month in (first, last):
        for version, module in ((args.baseline, before), ("current", figures)):
            measure("compute", lambda m=module, mo=month: m.compute(cell, m.Month(mo.first)), args.runs,
                    version=version, departement="93", month=str(month))
        if {**before.compute(cell, before.Month(month.first)), "computed_at": ""} != {
                **figures.compute(cell, month), "computed_at": ""}:
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
