"""The working pages as the file grows: the same people and pages on the demo, then with a national
data set added (``manage.py seed_national``), in one run on one database.

Run by hand on a throwaway database that it empties and fills:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cellule_bench .venv/bin/python bench/pages.py --cases 20000

The test suite runs it with ``--tiny`` (20 cases, two requests a page) on a copy of a database that
holds the demo, which it then keeps, so that the script keeps working.

With ``--against BASE`` it builds nothing: the same pages are measured on the database of
``DATABASE_URL`` and on BASE (same server), which both hold the demo and a national set of different
sizes, taking turns over three rounds so that both see the same load of a shared machine:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cellule_20k .venv/bin/python bench/pages.py --against cellule_200k

Each page is requested through Django's test client (middleware, templates, the recorded read
included) by the demo's coordinator and member of Seine-Saint-Denis; one JSON line per page and
size: p50 and p95 in ms, the queries it sends; then one line per page with the ratio of the two
sizes' p95 (target: within 1.3×, and under 60 ms at 20,000 cases), and with ``--against`` of their p50
(with 15 requests a page, the p95 is the slowest one). With ``--explain``, each read
statement of a page's last request is also explained with ``EXPLAIN (ANALYZE, BUFFERS)``: one JSON line
per statement, its buffers (pages read, cached or not: steadier than the clock on a shared machine),
its time and the outline of its plan.
"""

import argparse
import io
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DEMO", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from cases.models import Case  # noqa: E402

# Who opens which page (the demo's personas of Seine-Saint-Denis).
PAGES = [
    ("coord93", "file de l'équipe", "/taches/file/"),
    ("coord93", "mes tâches", "/taches/"),
    ("coord93", "tâches terminées", "/taches/terminees/"),
    ("coord93", "signalements", "/signalements/"),
    ("coord93", "signalements, filtre état", "/signalements/?state=in_care"),
    ("coord93", "signalements, filtre référent", "/signalements/?referent={referent}"),
    ("coord93", "signalements, recherche d'un nom", "/signalements/?q=durand"),
    ("membre93", "file de l'équipe (membre)", "/taches/file/"),
    ("membre93", "mes tâches (membre)", "/taches/"),
    ("membre93", "tâches terminées (membre)", "/taches/terminees/"),
    ("membre93", "signalements (membre), filtre état", "/signalements/?state=in_care"),
    ("membre93", "signalements (membre), recherche d'un nom", "/signalements/?q=durand"),
    ("coord93", "accueil (coordination)", "/"),
    ("membre93", "accueil (membre)", "/"),
    ("equipe_mobile", "accueil (équipe mobile)", "/"),
    ("inspecteur", "accueil (inspection)", "/"),
    ("national", "accueil (niveau national)", "/"),
    ("admin", "accueil (administration)", "/"),
    ("inspecteur", "recherche dans le journal", "/audit/"),
]


def empty_database() -> None:
    """Drop every table: the run starts from nothing, as ``make demo`` does."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        else:
            raise SystemExit("bench/pages.py mesure sur PostgreSQL (DATABASE_URL=postgresql://…).")


def measure(size: str, repeat: int, explain: bool = False) -> dict[str, tuple[float, float]]:
    """Each page's p50 and p95, in ms."""
    users = get_user_model().objects
    referent = users.get(username="membre93").pk
    clients = {}
    found = {}
    for username, label, url in PAGES:
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(users.get(username=username))
        client, url = clients[username], url.format(referent=referent)
        for _ in range(3):  # warm-up: caches, the session
            assert client.get(url).status_code == 200, url  # noqa: S101
        times, rows = [], 0
        with CaptureQueriesContext(connection) as queries:
            for _ in range(repeat):
                last = len(queries.captured_queries)  # where the last request's statements begin
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                rows = len(response.context["page"]) if "page" in response.context else None
        times.sort()
        found[label] = statistics.median(times), times[math.ceil(len(times) * 0.95) - 1]
        sql = sum(float(query["time"]) for query in queries.captured_queries) * 1000 / repeat
        print(json.dumps({"bench": "pages", "size": size, "page": label, "url": url, "rows": rows,
                          "p50_ms": round(found[label][0], 1), "p95_ms": round(found[label][1], 1),
                          "sql_ms": round(sql, 1), "queries": len(queries) // repeat,
                          "highest_plan_cost": highest_cost(queries.captured_queries[last:])},
                         ensure_ascii=False), flush=True)
        if explain:
            for line in explained(queries.captured_queries[last:]):
                print(json.dumps({"bench": "pages-plan", "size": size, "page": label, **line}, ensure_ascii=False),
                      flush=True)
    return found


def compare(against: str, repeat: int, rounds: int = 3, explain: bool = False) -> None:
    """The pages on two databases in turn; one line per page with the ratio of their median p95, and of their
    median p50: with 15 requests a page, the p95 is the slowest of them (often the one that ran the sealer,
    one a second), the p50 the typical one."""
    bases = [connection.settings_dict["NAME"], against]
    times: dict[str, dict[str, list[tuple[float, float]]]] = {base: {} for base in bases}
    for round_ in range(rounds):
        for base in bases:
            connection.close()
            connection.settings_dict["NAME"] = base
            size = f"{Case.objects.count()} signalements"
            for label, p50_p95 in measure(size, repeat, explain=explain and round_ == rounds - 1).items():
                times[base].setdefault(label, []).append(p50_p95)
    small, large = (times[base] for base in bases)
    for label in small:
        (p50_before, before), (p50_after, after) = (
            [statistics.median(round_[which] for round_ in side[label]) for which in (0, 1)] for side in (small, large))
        print(json.dumps({"bench": "pages", "page": label, "ratio_p95": round(after / before, 2),
                          "p95_ms": [round(before, 1), round(after, 1)], "within_1_3": after / before <= 1.3,
                          "ratio_p50": round(p50_after / p50_before, 2),
                          "p50_ms": [round(p50_before, 1), round(p50_after, 1)]},
                         ensure_ascii=False), flush=True)


def explained(queries: list[dict]) -> list[dict]:
    """Each read statement of a request run again under ``EXPLAIN (ANALYZE, BUFFERS)``: the buffers its plan
    touched, its time, the outline of its plan (node, index) and the statement's beginning."""
    found = []
    with connection.cursor() as cursor:
        for query in queries:
            # A read, not the sealer's turn (``audit_seal_events``, which ANALYZE would run again).
            if query["sql"].lstrip().upper().startswith("SELECT") and "audit_seal_events" not in query["sql"]:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {query['sql']}")
                plan = cursor.fetchone()[0][0]
                top = plan["Plan"]
                found.append({"buffers": top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0),
                              "ms": round(plan["Execution Time"], 2), "plan": outline(top),
                              "sql": query["sql"][:160]})
    return found


def outline(node: dict) -> str:
    """A plan in one line: each node with the index or table it reads and the rows it gave."""
    read = node.get("Index Name") or node.get("Relation Name")
    here = f"{node['Node Type']}{f' {read}' if read else ''} ({node.get('Actual Rows', 0)})"
    children = [outline(child) for child in node.get("Plans", [])]
    return f"{here} [{'; '.join(children)}]" if children else here


def highest_cost(queries: list[dict]) -> float:
    """The highest planner cost of a request's reads: PostgreSQL compiles a plan above
    ``jit_above_cost`` (100,000 by default) with its JIT, which costs tens of milliseconds."""
    costs = [0.0]
    with connection.cursor() as cursor:
        for query in queries:
            if query["sql"].lstrip().upper().startswith("SELECT"):
                cursor.execute(f"EXPLAIN (FORMAT JSON) {query['sql']}")
                costs.append(cursor.fetchone()[0][0]["Plan"]["Total Cost"])
    return round(max(costs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--tiny", action="store_true",
                        help="20 signalements, 2 requêtes par page, sur la démo déjà chargée s'il y en a une")
    parser.add_argument("--against", metavar="BASE",
                        help="une seconde base du même serveur, déjà remplie : les pages mesurées tour à tour sur "
                             "les deux, et le rapport de leurs p95")
    parser.add_argument("--explain", action="store_true",
                        help="avec --against : chaque lecture des pages expliquée (EXPLAIN ANALYZE BUFFERS) au "
                             "dernier tour")
    args = parser.parse_args()
    if args.tiny:
        args.cases, args.repeat = 20, 2
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    if args.against:
        compare(args.against, args.repeat, explain=args.explain)
        return
    if not (args.tiny and get_user_model().objects.filter(username="coord93").exists()):
        empty_database()
        call_command("migrate", verbosity=0)
        call_command("seed_demo", stdout=io.StringIO())
    demo = measure("démo", args.repeat)
    started = time.monotonic()
    call_command("seed_national", cases=args.cases, verbosity=0, stdout=io.StringIO())
    print(json.dumps({"bench": "seed_national", "cases": args.cases,
                      "seconds": round(time.monotonic() - started, 1)}), flush=True)
    national = measure(f"{args.cases} signalements", args.repeat)
    with connection.cursor() as cursor:  # the same pages with the JIT compiler allowed
        cursor.execute("SET jit = on")
    measure(f"{args.cases} signalements, jit = on", args.repeat)
    with connection.cursor() as cursor:
        cursor.execute("RESET jit")
    for label, (_, p95) in national.items():
        print(json.dumps({"bench": "pages", "page": label, "ratio_p95": round(p95 / demo[label][1], 2),
                          "p95_ms": round(p95, 1), "under_60_ms": p95 < 60}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
