"""Where a page's CPU goes: a page requested N times by one of the demo's accounts through Django's test
client (every middleware, the templates, the recorded read), its process time and queries per request,
then the same requests under cProfile, their time grouped by what it is spent on.

Run by hand on a database that holds the demo (``bench/ceiling.py``'s pages, the anonymous login page
first: each page's CPU is also given as a multiple of the login page's, as ``ceiling.py`` gives its
throughput):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cellule_profile .venv/bin/python bench/page_profile.py \\
        --page "page d'un signalement" --page "recherche dans le journal"

or any page by its address and account (``--url /signalements/12/ --account coord93``). The database is
migrated and given the demo unless it has it (``--cases N``: a national set too). The test suite runs it
with ``--tiny`` (two requests a page) so that it keeps working.

One JSON line per page and round (``kind: "cost"``): the median and mean process time of a request in
ms (``time.process_time``: the machine is shared, wall time would measure the others), the queries it
sends, its ratio to the login page. Then one line per page (``kind: "profile"``): where that median goes,
by groups, and the top functions by cumulative and by own time under cProfile, on process time as well
(the request's envelope left out of the first: the test client, Django's handler, the middleware's calls
of the next one). cProfile's own cost falls on each call, so its milliseconds exceed the request's: read
them as shares.

The groups come from sampling the stack at each tick of process time (``ITIMER_PROF``) over
``--requests`` more requests: cProfile costs each call the same and so weighs the groups that make
many small calls (templates) more than their time. A sample goes to the first of database (Django's
backends and the driver), orm (compiling SQL, building objects from rows), forms (fields and widgets,
the templates they render included), templates found on its stack; if none, to the group of its
innermost frame of the project or a library: middleware, or other (views, policy, the trail's
recorder...). The helpers every group calls (the standard library, ``django.utils``, ``django.urls``...)
belong to none: a sample in them goes to their caller's group.
"""

import argparse
import cProfile
import os
import pstats
import signal
import statistics
import sys
import sysconfig
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DEMO", "1")

import django  # noqa: E402

django.setup()

from ceiling import LOGIN, pages, prepare  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from served import emit  # noqa: E402

# (group, fragments of a file's path), in their order of precedence on a stack.
GROUPS = [
    ("database", ("/django/db/backends/", "/psycopg/", "/psycopg_c/", "/psycopg_binary/", "/sqlite3/")),
    ("orm", ("/django/db/models/",)),
    ("forms", ("/django/forms/", "/dsfr/forms", "forms.py", "/widgets.py")),
    ("templates", ("/django/template/", "templatetags/", "/django/utils/html.py", "/django/utils/safestring.py",
                   "/django/utils/formats.py", "/django/utils/dateformat.py", "/context_processors.py")),
    ("middleware", ("/django/middleware/", "middleware.py", "/django/contrib/sessions/", "/project/logs.py",
                    "/csp/", "/axes/")),
]
NAMES = [name for name, _ in GROUPS] + ["other"]
STDLIB = sysconfig.get_paths()["stdlib"]
SHARED = ("/django/utils/", "/django/urls/", "/django/dispatch/", "/django/conf/", "/django/apps/", "/bench/")
INTERVAL = 0.001  # seconds of process time between two samples (the kernel's tick, 4 ms here, rounds it up)
ENVELOPE = ("/django/test/", "/django/core/handlers/", "/django/utils/deprecation.py", "/bench/")


def group_of(filename: str) -> str | None:
    """The group of a function's file; None for a helper every group calls."""
    for name, fragments in GROUPS:
        if any(fragment in filename for fragment in fragments):
            return name
    if (filename.startswith(STDLIB) and "site-packages" not in filename) or any(
            fragment in filename for fragment in SHARED):
        return None
    return "other"


def classify(frame) -> str:
    """The group a sample of this stack goes to (the module's docstring)."""
    found, innermost = set(), None
    while frame is not None:
        name = group_of(frame.f_code.co_filename)
        if name is not None:
            found.add(name)
            innermost = innermost or name
        frame = frame.f_back
    return next((name for name in NAMES[:4] if name in found), innermost or "other")


def enveloping(function: tuple) -> bool:
    """Whether a function only wraps the request (its cumulative time is the whole request's)."""
    return any(part in function[0] for part in ENVELOPE) or (
        group_of(function[0]) == "middleware" and function[2] in ("__call__", "middleware"))


def label(function: tuple) -> str:
    filename, line, name = function
    for root in (*sys.path, sysconfig.get_paths()["purelib"]):
        if root and filename.startswith(root):
            filename = filename[len(root):].lstrip("/")
            break
    return f"{filename}:{line}({name})"


def signed_in(account: str) -> Client:
    client = Client()
    if account:
        client.force_login(get_user_model().objects.get(username=account))
    return client


def get(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} : {response.status_code} au lieu de 200")


def cost(client: Client, url: str, requests: int) -> tuple[list[float], int]:
    """Each request's process time (ms) and the queries one request sends."""
    sent = []
    times = []

    def count(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        for _ in range(requests):
            start = time.process_time()
            get(client, url)
            times.append((time.process_time() - start) * 1000)
    return times, len(sent) // requests


def sample(client: Client, url: str, requests: int) -> Counter:
    """The samples of each group over ``requests`` requests."""
    samples: Counter = Counter()
    previous = signal.signal(signal.SIGPROF, lambda signum, frame: samples.update((classify(frame),)))
    signal.setitimer(signal.ITIMER_PROF, INTERVAL, INTERVAL)
    try:
        for _ in range(requests):
            get(client, url)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
    return samples


def profile(client: Client, url: str, requests: int) -> pstats.Stats:
    profiler = cProfile.Profile(time.process_time)  # the worker's CPU: a wait for the database is not its
    for _ in range(requests):
        profiler.runcall(get, client, url)
    return pstats.Stats(profiler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", action="append", default=[],
                        help="une page de bench/ceiling.py, par un morceau de son nom (répétable)")
    parser.add_argument("--url", help="une autre page, par son adresse (avec --account)")
    parser.add_argument("--account", default="", help="le compte de la démo qui ouvre --url (vide : anonyme)")
    parser.add_argument("--requests", type=int, default=200, help="requêtes mesurées par page et par tour")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profiled", type=int, default=50, help="requêtes sous cProfile par page (0 : aucune)")
    parser.add_argument("--top", type=int, default=25, help="fonctions données par temps cumulé et par temps propre")
    parser.add_argument("--cases", type=int, default=0, help="jeu national créé si la base n'en a pas")
    parser.add_argument("--tiny", action="store_true", help="deux requêtes par page, un tour : que le script marche")
    args = parser.parse_args()
    if args.tiny:
        args.requests, args.rounds, args.profiled = 2, 1, 2
    settings.ALLOWED_HOSTS = ["testserver"]  # the test client's host; no test environment (templates not copied)
    prepare(args.cases)
    known = pages()
    chosen = [known[0]]  # the login page, which the others are compared with
    for wanted in args.page or ([] if args.url else ["page d'un signalement", "recherche dans le journal"]):
        found = [page for page in known[1:] if wanted in page[0]]
        if not found:
            raise SystemExit(f"Aucune page de bench/ceiling.py ne s'appelle « {wanted} ».")
        chosen += found
    if args.url:
        chosen.append((f"{args.url} ({args.account or 'anonyme'})", args.account, args.url))
    clients = {account: signed_in(account) for _, account, _ in chosen}
    for _, account, url in chosen:  # warm-up: the templates loaded, the session under way
        for _ in range(3):
            get(clients[account], url)
    medians: dict[str, list[float]] = {page: [] for page, _, _ in chosen}
    for round_ in range(1, args.rounds + 1):
        for page, account, url in chosen:
            times, queries = cost(clients[account], url, args.requests)
            medians[page].append(statistics.median(times))
            emit({"bench": "profile", "kind": "cost", "round": round_, "page": page, "url": url,
                  "account": account or None, "requests": args.requests,
                  "cpu_ms_p50": round(medians[page][-1], 2), "cpu_ms_mean": round(statistics.mean(times), 2),
                  "queries": queries, "ratio_to_login": round(medians[page][-1] / medians[LOGIN][-1], 2)})
    for page, account, url in chosen if args.profiled else ():
        samples = sample(clients[account], url, args.requests)
        stats = profile(clients[account], url, args.profiled)
        rows = stats.stats  # type: ignore[attr-defined]  # {function: (calls, calls, own, cumulative, callers)}
        top = sorted(((f, row) for f, row in rows.items() if not enveloping(f)), key=lambda item: -item[1][3])
        own = sorted(rows.items(), key=lambda item: -item[1][2])
        cpu = statistics.median(medians[page])
        emit({"bench": "profile", "kind": "profile", "page": page, "url": url, "cpu_ms_p50": round(cpu, 2),
              "samples": sum(samples.values()),
              "groups_ms": {name: round(cpu * samples[name] / max(1, sum(samples.values())), 2) for name in NAMES},
              "profiled_requests": args.profiled,
              "top_cumulative": [{"function": label(function), "ms": round(row[3] * 1000 / args.profiled, 2),
                                  "calls": round(row[1] / args.profiled, 1)} for function, row in top[:args.top]],
              "top_own": [{"function": label(function), "ms": round(row[2] * 1000 / args.profiled, 2),
                           "calls": round(row[1] / args.profiled, 1)} for function, row in own[:args.top]]})


if __name__ == "__main__":
    main()
