"""Benchmark of the audit trail on PostgreSQL, this version against an earlier one, in one run.

Run by hand (the test suite runs it with ``--tiny`` so that it keeps working). It creates (and drops
first) one throwaway database per version on the server of ``DATABASE_URL``, named after the database
that URL names (``postgres_bench_actuelle`` below; ``--template`` copies a migrated one for this
version), checks the earlier version out beside this one (a git worktree under ``var/``), and measures
both with the same code:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/audit_trail.py \
        --events 1000000 --previous 4e4de7c

Prints one JSON line per figure (name, value, unit, events in the trail, label), then one line per
ratio of this version to the previous one. Figures: a trail of ``--events`` events built through the
recorder; appends with 1 and 8 writers (events/s, with the bare INSERT of the same row as baseline,
the share of time the chain's advisory lock is held and how many sessions wait for it); a page read
that records its event (ms, with the same read without event as baseline), and the same read while
another session holds the chain's lock; ``verify_audit`` full (events/s) and incremental after
``--new`` (10,000) new events (s). Only public entry points are used (``audit.record`` in a transaction,
``verify_audit``, ``audit_checkpoint``), which both versions have; an earlier version's own
``audit.atomic()`` is used when it has one, as its entry points did.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parents[1]
BARE = "bench_bare_event"
DETAILS = {"signalement": "93-2026-0001", "motif": "Préparation d'une réunion de la cellule"}
# The key of the chain's advisory lock in earlier versions; this one takes none (the sealers' turn is a
# row, audit.sealer), so its lock figures read zero and a read "while locked" is an ordinary read.
CHAIN_LOCK_KEY = 0x617564697400
HIGHER_IS_BETTER = {"events/s", "rows/s"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="taille du journal avant les mesures")
    parser.add_argument("--seconds", type=float, default=10.0, help="durée de chaque mesure de débit")
    parser.add_argument("--previous", default="", help="version antérieure à mesurer aussi (commit git)")
    parser.add_argument("--new", type=int, default=10_000, help="événements ajoutés avant la vérification incrémentale")
    parser.add_argument("--template", default="",
                        help="base déjà migrée copiée pour la version actuelle (plutôt que de la migrer)")
    parser.add_argument("--tiny", action="store_true",
                        help="200 événements, mesures de 0,2 s, 100 ajoutés : que le script marche, sans mesurer")
    parser.add_argument("--measure", metavar="LABEL", help=argparse.SUPPRESS)  # one version, in a child process
    args = parser.parse_args()
    if args.tiny:
        args.events, args.seconds, args.new = 200, 0.2, 100
    if args.measure:
        return measure(args.measure, args.events, args.seconds, args.new)
    versions = [("actuelle", HERE)]
    if args.previous:
        versions.insert(0, (f"antérieure {args.previous}", checkout(args.previous)))
    results = {label: run_version(label, code, args) for label, code in versions}
    if args.previous:
        print_ratios(*results.values())


def checkout(revision: str) -> Path:
    """The code at ``revision``, in a worktree outside the checkout (whose own walks of its files must not
    meet it); git's words go to stderr, the figures alone to stdout."""
    worktree = Path(tempfile.gettempdir()) / f"cellule-bench-{HERE.name}-{revision}"
    if not worktree.exists():
        git = ["git", "-C", str(HERE), "worktree", "add", "--detach", str(worktree), revision]
        subprocess.run(git, check=True, stdout=sys.stderr)  # noqa: S603, S607 (with the operator's revision)
    return worktree


def run_version(label: str, code: Path, args) -> dict:
    """Measure the code at ``code`` on a fresh database of its own; its figures by name."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        sys.exit("Ce banc d'essai mesure PostgreSQL : donnez DATABASE_URL=postgresql://…")
    parts = urlsplit(server)
    # Named after the server's database given, so that two runs given two names do not meet.
    suffix = "".join(c for c in label.split()[-1] if c.isalnum()) or "x"
    name = f"{parts.path.strip('/') or 'cellule'}_bench_{suffix}"
    recreate_database(server, name, args.template if code == HERE else "")
    environment = {**os.environ, "DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}")), "DEMO": "1",
                   "PYTHONPATH": str(code)}
    command = [sys.executable, str(HERE / "bench" / "audit_trail.py"), "--measure", label,
               "--events", str(args.events), "--seconds", str(args.seconds), "--new", str(args.new)]
    figures = {}
    with subprocess.Popen(command, cwd=code, env=environment, stdout=subprocess.PIPE, text=True) as child:  # noqa: S603
        for line in child.stdout:
            print(line, end="", flush=True)
            figure = json.loads(line)
            figures[figure["name"]] = figure
    if child.returncode:
        sys.exit(f"La mesure de la version {label} a échoué ({child.returncode}).")
    return figures


def recreate_database(server: str, name: str, template: str = "") -> None:
    import psycopg
    from psycopg import sql

    maintenance = urlunsplit(urlsplit(server)._replace(path="/postgres"))  # the named one may not exist yet
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)) + (
            sql.SQL(" TEMPLATE {}").format(sql.Identifier(template)) if template else sql.SQL("")))


def print_ratios(previous: dict, current: dict) -> None:
    for name, figure in current.items():
        before = previous.get(name)
        if not before or not before.get("value") or not figure.get("value") or name.endswith("_ratio"):
            continue  # no ratio to a zero (no session ever waits for the lock any more)
        if figure["unit"] in HIGHER_IS_BETTER:
            ratio, meaning = figure["value"] / before["value"], "actuelle / antérieure"
        else:
            ratio, meaning = before["value"] / max(figure["value"], 1e-9), "antérieure / actuelle"
        print(json.dumps({"name": f"{name}_gain", "value": round(ratio, 2), "unit": meaning}, ensure_ascii=False),
              flush=True)


# --- In the child process: one version, its own database. -------------------------------------------------

def measure(label: str, events: int, seconds: float, new: int) -> None:
    sys.path.insert(0, os.getcwd())
    # The project is installed in the virtualenv as editable: its finder would complete an earlier
    # version with this one's modules (a migration it did not have); only the tree measured counts.
    sys.meta_path[:] = [finder for finder in sys.meta_path
                        if not getattr(finder, "__module__", "").startswith("__editable__")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    import audit
    from audit.models import Event

    atomic = getattr(audit, "atomic", transaction.atomic)  # versions before the sealer buffered in their own

    def emit(name: str, value: float | None, unit: str) -> None:
        print(json.dumps({"name": name, "value": None if value is None else round(value, 3), "unit": unit,
                          "events": Event.objects.count(), "label": label}, ensure_ascii=False), flush=True)

    def record_one() -> None:
        audit.record("case.view", object_type="cases.case", object_id=1, departement="93", details=DETAILS)

    def bare_row() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {BARE} (time, action, departement, details) "  # noqa: S608
                           "VALUES (now(), 'case.view', '93', %s)", [json.dumps(DETAILS)])

    def page_read(with_event: bool):
        def read() -> None:
            with atomic():
                Event.objects.filter(departement="93").order_by("-id").values("id", "action").first()
                if with_event:
                    record_one()
        return read

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {BARE} (id bigserial PRIMARY KEY, time timestamptz, "
                       "action varchar(64), departement varchar(3), details jsonb)")
    started = time.monotonic()
    fill(audit, atomic, Event, events)
    emit("trail_fill", events / max(time.monotonic() - started, 1e-9), "events/s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does to tables this size, for both versions
    for writers in (1, 8):
        with LockSampler() as lock:
            chained = throughput(record_one, writers, seconds)
        bare = throughput(bare_row, writers, seconds)
        emit(f"append_{writers}_writers", chained, "events/s")
        emit(f"append_{writers}_writers_bare", bare, "rows/s")
        emit(f"append_{writers}_writers_ratio", bare / chained, "bare/chained")
        emit(f"append_{writers}_writers_lock_held", 100 * lock.held, "% du temps")
        emit(f"append_{writers}_writers_lock_waiting", lock.waiting, "sessions en attente (moyenne)")
    emit("page_read_8_readers", 1000 * 8 / throughput(page_read(True), 8, seconds), "ms")
    emit("page_read_8_readers_bare", 1000 * 8 / throughput(page_read(False), 8, seconds), "ms")
    emit("page_read_while_chain_locked", 1000 * read_while_locked(page_read(True)), "ms")
    started = time.monotonic()
    call_command("verify_audit", stdout=StringIO())
    emit("verify_full", Event.objects.count() / (time.monotonic() - started), "events/s")
    points = Path("var") / "bench-checkpoints.jsonl"
    points.parent.mkdir(exist_ok=True)
    points.unlink(missing_ok=True)
    call_command("audit_checkpoint", "--output", str(points), stdout=StringIO())
    fill(audit, atomic, Event, Event.objects.count() + new)
    started = time.monotonic()
    call_command("verify_audit", "--checkpoint", str(points), "--incremental", stdout=StringIO())
    emit(f"verify_incremental_{new}", time.monotonic() - started, "s")


def fill(audit, atomic, Event, count: int, batch: int = 1000) -> None:  # noqa: N803
    """Grow the trail to ``count`` events through the recorder, in transactions of ``batch`` events."""
    missing = count - Event.objects.count()
    while missing > 0:
        with atomic():
            for n in range(min(batch, missing)):
                audit.record("case.view", object_type="cases.case", object_id=n, departement="93", details=DETAILS)
        missing -= batch


def throughput(work, workers: int, seconds: float) -> float:
    """Operations per second of ``workers`` threads doing ``work`` (each in its own transaction)."""
    from django.db import connections

    done, stop = [0] * workers, time.monotonic() + seconds

    def run(slot: int) -> None:
        try:
            while time.monotonic() < stop:
                work()
                done[slot] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(workers)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - start)


class LockSampler:
    """Samples pg_locks every 2 ms from its own connection: how often the chain's lock is held, and
    how many sessions wait for it."""

    def __enter__(self):
        self.samples, self.holding, self.waiters = 0, 0, 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.sample)
        self.thread.start()
        return self

    def sample(self) -> None:
        from django.db import connection, connections

        query = ("SELECT count(*) FILTER (WHERE granted), count(*) FILTER (WHERE NOT granted) FROM pg_locks "
                 "WHERE locktype = 'advisory' AND ((classid::bigint << 32) | objid::bigint) = %s")
        try:
            with connection.cursor() as cursor:
                while not self.stop.wait(0.002):
                    cursor.execute(query, [CHAIN_LOCK_KEY])
                    held, waiting = cursor.fetchone()
                    self.samples += 1
                    self.holding += bool(held)
                    self.waiters += waiting
        finally:
            connections.close_all()

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()
        self.held = self.holding / max(self.samples, 1)
        self.waiting = self.waiters / max(self.samples, 1)


def read_while_locked(read, hold: float = 2.0) -> float:
    """Seconds one page read takes while another session holds the chain's lock for ``hold`` s."""
    from django.db import connections

    locked = threading.Event()

    def holder() -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [CHAIN_LOCK_KEY])
                locked.set()
                time.sleep(hold)
                cursor.execute("SELECT pg_advisory_unlock(%s)", [CHAIN_LOCK_KEY])
        finally:
            connections.close_all()

    thread = threading.Thread(target=holder)
    thread.start()
    locked.wait()
    started = time.monotonic()
    read()
    elapsed = time.monotonic() - started
    thread.join()
    return elapsed


if __name__ == "__main__":
    main()
