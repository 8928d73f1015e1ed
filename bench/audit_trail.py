"""Benchmark of the audit trail on PostgreSQL: appends, the cost of a read event, verification.

Run by hand, never by the test suite, on a throwaway database (it fills it):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cellule_bench .venv/bin/python bench/audit_trail.py \
        --events 1000000 --label main

Prints one JSON line per figure (name, value, unit, events in the trail, label). Every figure has
its bare baseline measured in the same run, on the same machine: an INSERT of the same row into a
table without chain nor lock. Only public entry points are used (``audit.record``,
``audit.atomic``, ``verify_audit``), so the same script measures an earlier version of the
recorder checked out beside this one (``--label`` names the version in the output).
"""

import argparse
import json
import os
import sys
import threading
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DEMO", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

import audit  # noqa: E402
from audit.models import Event  # noqa: E402

BARE = "bench_bare_event"
DETAILS = {"signalement": "93-2026-0001", "motif": "Préparation d'une réunion de la cellule"}


def emit(name: str, value: float, unit: str, label: str) -> None:
    print(json.dumps({"name": name, "value": round(value, 3), "unit": unit, "events": Event.objects.count(),
                      "label": label}, ensure_ascii=False), flush=True)


def fill(count: int, batch: int = 1000) -> None:
    """Grow the trail to ``count`` events through the recorder (real hashes), in batches."""
    missing = count - Event.objects.count()
    while missing > 0:
        with audit.atomic():
            for n in range(min(batch, missing)):
                audit.record("case.view", object_type="cases.case", object_id=n, departement="93", details=DETAILS)
        missing -= batch


def one_event() -> None:
    audit.record("case.view", object_type="cases.case", object_id=1, departement="93", details=DETAILS)


def one_bare_row() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {BARE} (time, action, departement, details) "  # noqa: S608
                       "VALUES (now(), 'case.view', '93', %s)", [json.dumps(DETAILS)])


def throughput(work, writers: int, seconds: float) -> float:
    """Operations per second of ``writers`` threads doing ``work`` (each in its own transaction)."""
    done, stop = [0] * writers, time.monotonic() + seconds

    def run(slot: int) -> None:
        try:
            while time.monotonic() < stop:
                work()
                done[slot] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(writers)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="taille du journal avant les mesures")
    parser.add_argument("--seconds", type=float, default=10.0, help="durée de chaque mesure de débit")
    parser.add_argument("--label", default="", help="nom de la version mesurée, repris dans chaque ligne")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Ce banc d'essai mesure PostgreSQL : donnez DATABASE_URL=postgresql://…")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {BARE} (id bigserial PRIMARY KEY, time timestamptz, "
                       "action varchar(64), departement varchar(3), details jsonb)")
    started = time.monotonic()
    fill(args.events)
    emit("trail_fill", args.events / max(time.monotonic() - started, 1e-9), "events/s", args.label)
    for writers in (1, 8):
        chained = throughput(one_event, writers, args.seconds)
        bare = throughput(one_bare_row, writers, args.seconds)
        emit(f"append_{writers}_writers", chained, "events/s", args.label)
        emit(f"append_{writers}_writers_bare", bare, "rows/s", args.label)
        emit(f"append_{writers}_writers_ratio", bare / chained, "bare/chained", args.label)
    started = time.monotonic()
    call_command("verify_audit", stdout=StringIO())
    emit("verify_full", Event.objects.count() / (time.monotonic() - started), "events/s", args.label)
    points = ROOT / "var" / "bench-checkpoints.jsonl"
    points.parent.mkdir(exist_ok=True)
    points.unlink(missing_ok=True)
    call_command("audit_checkpoint", "--output", str(points), stdout=StringIO())
    fill(Event.objects.count() + 10_000)
    started = time.monotonic()
    try:
        call_command("verify_audit", "--checkpoint", str(points), "--incremental", stdout=StringIO())
    except TypeError:  # a version without incremental verification
        print(json.dumps({"name": "verify_incremental_10000", "value": None, "label": args.label}), flush=True)
    else:
        emit("verify_incremental_10000", time.monotonic() - started, "s", args.label)


if __name__ == "__main__":
    main()
