"""A worker's memory at rest and at its peak under a burst of logins, with the product's password
hasher (``organisation.passwords``) and with Django's default Argon2 parameters (100 MiB, 8 lanes), the
two served in turn (A B A B) as ``make serve`` serves them: gunicorn, its configuration file, 4 workers.

Run by hand on a throwaway PostgreSQL database (given the demo unless it has it):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cellule_memory .venv/bin/python bench/memory.py

First, in a process of its own for each set of parameters, the time of one hash and the memory it
takes (peak resident size, ``VmHWM``, less the size before). Then, for each stack and round: the
workers' resident and proportional sizes (RSS, PSS) once each has served login pages, their peak
during ``--clients`` people signing in ``--logins`` times each (a GET and a POST of /connexion/), and
their size after. The bench's accounts get their password hashed by the stack under test before its
round: the first login of each does not pay for the other stack's hash. JSON lines; sizes in MiB.
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DEMO", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import Argon2PasswordHasher  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import override_settings  # noqa: E402
from served import PASSWORD, Session, emit, give_password, serve, stop, summary  # noqa: E402

from organisation.passwords import BoundedArgon2PasswordHasher  # noqa: E402

STACKS = {"ours": ("project.settings", BoundedArgon2PasswordHasher),
          "django_default": ("bench.memory_settings", Argon2PasswordHasher)}
TINY = {"clients": 2, "logins": 1, "rounds": 1, "workers": 2, "hashes": 1}


def status(pid: int | str = "self") -> dict[str, float]:
    """A process's resident size now and at its peak (since the last reset), and its proportional
    size (its pages shared with other processes counted in part), in MiB."""
    sizes = {}
    for name, path, key in (("rss", "status", "VmRSS:"), ("peak", "status", "VmHWM:"), ("pss", "smaps_rollup", "Pss:")):
        with open(f"/proc/{pid}/{path}") as lines:
            sizes[name] = next(int(line.split()[1]) for line in lines if line.startswith(key)) / 1024
    return sizes


def reset_peak(pid: int | str = "self") -> None:
    """The peak resident size starts again from the current one (Linux's clear_refs, value 5)."""
    with open(f"/proc/{pid}/clear_refs", "w") as clear:
        clear.write("5")


def probe(hasher_path: str, hashes: int) -> None:
    """In this (fresh) process: the median time of ``hashes`` hashes and the memory they took."""
    hasher = next(h for h in (BoundedArgon2PasswordHasher, Argon2PasswordHasher)
                  if f"{h.__module__}.{h.__name__}" == hasher_path)()
    salt = hasher.salt()
    reset_peak()
    before = status()
    times = []
    for _ in range(hashes):
        start = time.perf_counter()
        hasher.encode("une-phrase-de-passe-solide", salt)
        times.append(time.perf_counter() - start)
    after = status()
    emit({"ms_per_hash": round(statistics.median(times) * 1000, 1),
          "memory_mib": round(after["peak"] - before["rss"], 1),
          "kept_mib": round(after["rss"] - before["rss"], 1), "parameters": {
              "memory_kib": hasher.memory_cost, "time_cost": hasher.time_cost, "parallelism": hasher.parallelism}})


def hash_costs(hashes: int, rounds: int) -> None:
    for round_ in range(1, rounds + 1):
        for stack, (_, hasher) in STACKS.items():
            done = subprocess.run([sys.executable, __file__, "--probe", f"{hasher.__module__}.{hasher.__name__}",  # noqa: S603
                                   "--hashes", str(hashes)], capture_output=True, text=True, check=True)
            emit({"bench": "memory", "part": "hash", "stack": stack, "round": round_, **json.loads(done.stdout)})


def workers(master: int) -> list[int]:
    with open(f"/proc/{master}/task/{master}/children") as children:
        return [int(pid) for pid in children.read().split()]


def burst(port: int, usernames: list[str], logins: int) -> list[Session]:
    """One thread per account, each signing in ``logins`` times with a fresh session."""
    sessions = [Session(port) for _ in usernames]

    def loop(session: Session, username: str) -> None:
        for _ in range(logins):
            session.cookies = {}
            session.request("page", "GET", "/connexion/")
            session.request("connexion", "POST", "/connexion/", {"username": username, "password": PASSWORD})

    threads = [threading.Thread(target=loop, args=pair) for pair in zip(sessions, usernames, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sessions


def served_round(stack: str, round_: int, args, usernames: list[str]) -> None:
    settings_module, hasher = STACKS[stack]
    with override_settings(PASSWORD_HASHERS=[f"{hasher.__module__}.{hasher.__name__}", *settings.PASSWORD_HASHERS]):
        give_password(get_user_model().objects.filter(username__in=usernames))
    server = serve(args.port, args.workers, DJANGO_SETTINGS_MODULE=settings_module)
    try:
        for _ in range(10 * args.workers):  # each worker has rendered the login page: its working size
            Session(args.port).request("page", "GET", "/connexion/")
        pids = workers(server.pid)
        rest = [status(pid) for pid in pids]
        for pid in pids:
            reset_peak(pid)
        sessions = burst(args.port, usernames, args.logins)
        after = [status(pid) for pid in pids]
    finally:
        stop(server)
    logins = [t for s in sessions for kind, t, _ in s.timings if kind == "connexion"]
    errors = sum(bool(failure) for s in sessions for _, _, failure in s.timings)
    emit({"bench": "memory", "part": "served", "stack": stack, "round": round_, "workers": len(pids),
          "clients": len(usernames), "logins": len(logins), "errors": errors, "login": summary(logins),
          "rest_rss_mib": round(max(s["rss"] for s in rest), 1), "rest_pss_mib": round(max(s["pss"] for s in rest), 1),
          "peak_rss_mib": round(max(s["peak"] for s in after), 1),
          "after_rss_mib": round(max(s["rss"] for s in after), 1),
          "peak_over_rest": round(max(a["peak"] / r["rss"] for a, r in zip(after, rest, strict=True)), 2),
          "all_workers_peak_mib": round(sum(s["peak"] for s in after), 1)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16, help="personnes qui se connectent en même temps")
    parser.add_argument("--logins", type=int, default=5, help="connexions de chacune par tour")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="processus gunicorn")
    parser.add_argument("--hashes", type=int, default=10, help="hachages mesurés par jeu de paramètres")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    parser.add_argument("--tiny", action="store_true", help=f"que le script marche, sans mesurer : {TINY}")
    args = parser.parse_args()
    if args.probe:
        probe(args.probe, args.hashes)
        return
    if args.tiny:
        args.clients, args.logins, args.rounds, args.workers, args.hashes = TINY.values()
    hash_costs(args.hashes, args.rounds)
    call_command("migrate", verbosity=0)
    if not get_user_model().objects.filter(username="coord93").exists():
        call_command("seed_demo", stdout=io.StringIO())
    accounts = list(get_user_model().objects.filter(is_active=True).order_by("username")
                    .values_list("username", flat=True)[:args.clients])
    for round_ in range(1, args.rounds + 1):
        for stack in STACKS:
            served_round(stack, round_, args, accounts)


if __name__ == "__main__":
    main()
