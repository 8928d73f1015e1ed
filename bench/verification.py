"""Benchmark of the trail's verification on PostgreSQL: this version against an earlier one, interleaved, in one run.

Run by hand (the test suite runs it with ``--tiny`` so that it keeps working). It recreates one throwaway
database named after the one of ``DATABASE_URL`` (``postgres_verify`` below), fills it quickly (the events
by ``generate_series``, their seals and the tree's nodes computed here from the database's own digests and
written by ``COPY``: the same rows the sealer would have written), checks the earlier version out beside
this one (a git worktree under ``var/``), then measures the two versions on the same database, taking
turns (A B A B, ``--rounds``), each measure in a process of its own:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/verification.py \
        --events 1000000 --previous 60598ce

Figures: ``verify_audit`` full, chain and tree (events/s); ``verify_audit --checkpoint F --incremental``
after ``--new`` events (s); an inclusion proof and a consistency proof between two checkpoints, built
from the stored nodes and checked (median ms); the sealer under 8 writers recording through
``audit.record`` for ``--seconds`` (events written and sealed per second, and what is left unsealed when
they stop). One JSON line per measure (name, value, unit, events, label, round), then one per figure with
the median of its rounds for each version and the ratio of this version to the previous one, and the
machine's load average (``uptime``) at the start and the end.
"""

import argparse
import base64
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from audit_trail import HIGHER_IS_BETTER, checkout, recreate_database

HERE = Path(__file__).resolve().parents[1]
POINTS = HERE / "var" / "bench-verification-checkpoints.jsonl"
MEASURES = ("verify_full", "verify_incremental", "proofs", "sealer_8_writers")
# Events that look like the product's reads: the details vary, so that the digests do.
EVENTS_SQL = """
INSERT INTO audit_event (time, actor_label, actor_role, actor_cell, ip, request_id, action, object_type, object_id,
                         departement, details)
SELECT now() - make_interval(secs => %(count)s - n), 'Sophie Leroy', 'member', '93', ('10.0.0.' || (n %% 250))::inet,
       substr(md5(n::text), 1, 32), 'case.view', 'cases.case', (n %% 20000)::text, '93',
       jsonb_build_object('signalement', '93-2026-' || lpad((n %% 20000)::text, 4, '0'),
                          'motif', 'Préparation d''une réunion de la cellule', 'rang', n)
FROM generate_series(1, %(count)s) AS n
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="taille du journal mesuré")
    parser.add_argument("--previous", default="60598ce", help="version antérieure mesurée aussi (commit git)")
    parser.add_argument("--rounds", type=int, default=3, help="tours A B de chaque mesure (on garde la médiane)")
    parser.add_argument("--new", type=int, default=10_000, help="événements après le point de contrôle (incrémental)")
    parser.add_argument("--seconds", type=float, default=10.0, help="durée de la mesure du scellement")
    parser.add_argument("--repeat", type=int, default=100, help="preuves par mesure (on garde la médiane)")
    parser.add_argument("--tiny", action="store_true", help="200 événements, un tour : que le script marche")
    parser.add_argument("--measure", nargs=2, metavar=("MESURE", "LABEL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tiny:
        args.events, args.rounds, args.new, args.seconds, args.repeat = 200, 1, 50, 0.3, 5
    if args.measure:
        return measure(*args.measure, args)
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        sys.exit("Ce banc d'essai mesure PostgreSQL : donnez DATABASE_URL=postgresql://…")
    parts = urlsplit(server)
    name = f"{parts.path.strip('/') or 'cellule'}_verify"
    recreate_database(server, name)
    os.environ.update(DATABASE_URL=urlunsplit(parts._replace(path=f"/{name}")), DEMO="1")
    # One key for both versions (each worktree would make its own demo key): the checkpoint is this run's.
    os.environ.setdefault("AUDIT_SIGNING_KEY", base64.b64encode(os.urandom(32)).decode())
    load("début")
    prepare(args.events, args.new)
    versions = [(f"antérieure {args.previous}", checkout(args.previous)), ("actuelle", HERE)]
    figures: dict[tuple[str, str], list[float]] = {}
    for round_ in range(args.rounds):
        for what in MEASURES:
            for label, code in versions:
                for figure in run_child(what, label, code, args, round_):
                    figures.setdefault((figure["name"], label), []).append(figure["value"])
    load("fin")
    print_medians(figures, [label for label, _ in versions])


def load(moment: str) -> None:
    print(json.dumps({"name": f"charge ({moment})", "value": os.getloadavg()[0], "unit": "load average 1 min",
                      "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()},  # noqa: S607
                     ensure_ascii=False), flush=True)


def prepare(events: int, new: int) -> None:
    """Migrate, fill the trail, take a checkpoint, add ``new`` events and seal them as the sealer does."""
    sys.path.insert(0, str(HERE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from audit import sealer

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    add_events(events)
    seal_directly()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE audit_event, audit_seal, audit_treenode")
    print(json.dumps({"name": "remplissage", "value": round(time.monotonic() - started, 1), "unit": "s",
                      "events": events}), flush=True)
    POINTS.parent.mkdir(exist_ok=True)
    POINTS.unlink(missing_ok=True)
    call_command("audit_checkpoint", "--output", str(POINTS), stdout=StringIO())
    add_events(new)
    sealer.seal()


def add_events(count: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(EVENTS_SQL, {"count": count})


def seal_directly(batch: int = 50_000) -> None:
    """The seals and the tree's nodes of every event, in the sealer's order, written by COPY; the digests
    are the database's own (``DIGEST_SQL``), the links and nodes those of ``audit.chain`` and ``audit.tree``."""
    from django.db import connection, transaction

    from audit import chain, proofs, tree

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        horizon = cursor.fetchone()[0]
        reader = connection.connection.cursor(name="digests")  # server-side: streamed by batches
        reader.execute(f"SELECT e.id, {chain.DIGEST_SQL} FROM audit_event e ORDER BY e.txid, e.id")  # noqa: S608
        seq, previous, stored = 0, chain.GENESIS, {}
        while rows := reader.fetchmany(batch):
            seals, digests = [], []
            for event_id, digest in rows:
                seq, previous = seq + 1, chain.chain(previous, digest)
                seals.append((event_id, seq, previous, horizon))
                digests.append(bytes.fromhex(digest))
            nodes = tree.grow(seq - len(rows), digests, stored)
            stored = {place: stored[place] for place in proofs.subtrees(0, seq)}
            with cursor.cursor.copy("COPY audit_seal (event_id, seq, hash, horizon) FROM STDIN") as copy:
                for row in seals:
                    copy.write_row(row)
            with cursor.cursor.copy('COPY audit_treenode (level, "index", hash) FROM STDIN') as copy:
                for row in nodes:
                    copy.write_row(row)
        reader.close()


def run_child(what: str, label: str, code: Path, args, round_: int) -> list[dict]:
    environment = {**os.environ, "PYTHONPATH": str(code)}
    command = [sys.executable, str(HERE / "bench" / "verification.py"), "--measure", what, label,
               "--new", str(args.new), "--seconds", str(args.seconds), "--repeat", str(args.repeat)]
    done = subprocess.run(command, cwd=code, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        sys.exit(f"La mesure {what} de la version {label} a échoué :\n{done.stderr[-3000:]}")
    figures = [{**json.loads(line), "round": round_} for line in done.stdout.splitlines()]
    for figure in figures:
        print(json.dumps(figure, ensure_ascii=False), flush=True)
    return figures


def print_medians(figures: dict[tuple[str, str], list[float]], labels: list[str]) -> None:
    for name in dict.fromkeys(name for name, _ in figures):
        before, now = (statistics.median(figures[(name, label)]) for label in labels)
        higher = MEASURED[name] in HIGHER_IS_BETTER
        ratio = (now / before if higher else before / now) if before and now else None
        print(json.dumps({"name": name, "unit": MEASURED[name], labels[0]: round(before, 3), labels[1]: round(now, 3),
                          "ratio": None if ratio is None else round(ratio, 2),
                          "ratio_unit": "actuelle / antérieure" if higher else "antérieure / actuelle"},
                         ensure_ascii=False), flush=True)


# --- In the child process: one measure of one version. ---------------------------------------------------

MEASURED = {"verify_full": "events/s", "verify_incremental": "s", "inclusion_proof": "ms",
            "consistency_proof": "ms", "sealer_8_writers_written": "events/s", "sealer_8_writers_sealed": "events/s",
            "sealer_8_writers_left_unsealed": "events"}


def measure(what: str, label: str, args) -> None:
    sys.path.insert(0, os.getcwd())
    # The project is installed in the virtualenv as editable: its finder would complete an earlier
    # version with this one's modules; only the tree measured counts.
    sys.meta_path[:] = [finder for finder in sys.meta_path
                        if not getattr(finder, "__module__", "").startswith("__editable__")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    import django

    django.setup()
    from audit.models import Seal

    def emit(name: str, value: float) -> None:
        print(json.dumps({"name": name, "value": round(value, 3), "unit": MEASURED[name],
                          "events": Seal.objects.count(), "label": label}, ensure_ascii=False), flush=True)

    {"verify_full": verify_full, "verify_incremental": verify_incremental, "proofs": proof_times,
     "sealer_8_writers": sealer_under_writers}[what](emit, args)


def verify_full(emit, args) -> None:
    from django.core.management import call_command

    from audit.models import Seal

    started = time.monotonic()
    call_command("verify_audit", stdout=StringIO())
    emit("verify_full", Seal.objects.count() / (time.monotonic() - started))


def verify_incremental(emit, args) -> None:
    from django.core.management import call_command

    started = time.monotonic()
    call_command("verify_audit", "--checkpoint", str(POINTS), "--incremental", stdout=StringIO())
    emit("verify_incremental", time.monotonic() - started)


def proof_times(emit, args) -> None:
    """An inclusion proof of a random leaf in the whole tree, and a consistency proof between a random
    size and the whole tree, each built from the stored nodes and checked against the two roots."""
    from audit import proofs, tree

    size, rng = tree.size(), random.Random(30)  # noqa: S311 (positions to measure, not secrets)
    root = tree.root(size)

    def inclusion() -> None:
        index = rng.randrange(size)
        leaf = tree.hashes([(index, index + 1)])[0]
        proofs.verify_inclusion(index, size, leaf, tree.inclusion_proof(index, size), root)

    def consistency() -> None:
        old = rng.randrange(1, size)
        proofs.verify_consistency(old, size, tree.root(old), root, tree.consistency_proof(old, size))

    for name, run in (("inclusion_proof", inclusion), ("consistency_proof", consistency)):
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            run()
            times.append((time.perf_counter() - started) * 1000)
        emit(name, statistics.median(times))


def sealer_under_writers(emit, args, writers: int = 8) -> None:
    """``writers`` threads record one event per transaction for ``--seconds``, sealing after their commits
    as the product does (at most once a second in a process); then what was written and sealed per second."""
    from django.db import connections, transaction

    import audit
    from audit import sealer
    from audit.models import Seal

    done, stop = [0] * writers, time.monotonic() + args.seconds
    sealed_before = Seal.objects.count()

    def write(slot: int) -> None:
        try:
            while time.monotonic() < stop:
                with transaction.atomic():
                    audit.record("case.view", object_type="cases.case", object_id=slot, departement="93",
                                 details={"motif": "Préparation d'une réunion de la cellule"})
                done[slot] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(slot,)) for slot in range(writers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    sealed = Seal.objects.count() - sealed_before
    emit("sealer_8_writers_written", sum(done) / elapsed)
    emit("sealer_8_writers_sealed", sealed / elapsed)
    emit("sealer_8_writers_left_unsealed", sealer.unsealed().count)
    sealer.seal()


if __name__ == "__main__":
    main()
