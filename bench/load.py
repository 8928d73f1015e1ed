"""HTTP load: signed-in people of several cellules working at once against the product served by
gunicorn, for a minute: 70 % page reads, 30 % task actions (take a task from the queue, do it).

Run by hand, never by the test suite, on a throwaway PostgreSQL database:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cellule_load .venv/bin/python bench/load.py --cases 20000

The database is migrated and given a national data set (``seed_national``) unless it holds one.
In each of the eight départements with the most cases waiting, two people work: a member who
contacts families (takes a "contacter la famille" task from the queue, records the family reached)
and the coordinator (takes a "désigner un référent" task, names a member). Each client is a thread
with its own session, one connection per request (gunicorn's sync workers close them), no redirect
followed; each acts on what its pages show it (the tasks of its queue, the case a task leads to).
One JSON line per kind of request (p50, p95, count, errors), then the totals: requests per second,
task actions per second, p95, errors. The people are given a password directly: a throwaway
database, and the bench's only write outside the entry points. The server's e-mails (a referent is
told of their new task) go to Django's dummy backend: sending them is not the server's work to time.
"""

import argparse
import datetime
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DEMO", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models import Count, Q  # noqa: E402

from cases.models import Case  # noqa: E402
from organisation.models import Membership, Role  # noqa: E402

PASSWORD = "banc-de-charge-2026"  # noqa: S105 (a throwaway database)
ACTIONS = ("prise", "action", "contact non abouti", "remise")  # the task actions, all POSTs
TASK_LINK = re.compile(r'action="/taches/(\d+)/prendre/"')
# Of the loop's turns: a read is one request, an action one POST, plus the task's page after a
# claim (a read): 65 % of turns make 70 % of the requests reads and 30 % task actions.
READ_SHARE = 0.65


class Client(threading.Thread):
    """One person: signs in, then reads and acts until the deadline."""

    def __init__(self, port: int, username: str, task_type: str, form: dict, seed: int) -> None:
        super().__init__(daemon=True)
        self.port, self.username, self.task_type, self.form = port, username, task_type, form
        self.deadline = 0.0
        self.rng = random.Random(seed)  # noqa: S311 (a load pattern)
        self.cookies: dict[str, str] = {}
        self.queue: list[str] = []  # task ids seen in the queue page
        self.held: tuple[str, str] | None = None  # the task in hand, and where it is done
        self.to_release = ""  # a task to put back in the queue
        self.cases: list[str] = []  # the cases this person worked on
        self.timings: list[tuple[str, float, bool]] = []

    def request(self, kind: str, method: str, path: str, data: dict | None = None):
        body = urlencode(data) if data is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if method == "POST":
            headers |= {"Content-Type": "application/x-www-form-urlencoded",
                        "X-CSRFToken": self.cookies.get("csrftoken", "")}
        start = time.perf_counter()
        ok, response, content = False, None, b""
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            content = response.read()
            connection.close()
            ok = response.status < 400
        except OSError:
            pass
        self.timings.append((kind, time.perf_counter() - start, ok))
        if response is not None:
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";")[0]
        return response, content

    def sign_in(self) -> None:
        self.request("connexion", "GET", "/connexion/")
        response, _ = self.request("connexion", "POST", "/connexion/",
                                   {"username": self.username, "password": PASSWORD})
        if response is None or response.status != 302:
            raise SystemExit(f"{self.username} : connexion refusée")

    def run(self) -> None:
        self.timings.clear()  # the sign-in is not measured
        while time.monotonic() < self.deadline:
            if self.rng.random() < READ_SHARE or not (self.held or self.to_release or self.queue):
                self.read()
            else:
                self.act()

    def read(self) -> None:
        choice = self.rng.random()
        if choice < 0.3 or not self.queue:
            _, content = self.request("file", "GET", f"/taches/file/?type={self.task_type}")
            self.queue = TASK_LINK.findall(content.decode())
        elif choice < 0.5:
            self.request("mes tâches", "GET", "/taches/")
        elif choice < 0.8:
            state = self.rng.choice(["", "received", "in_care", "assigned"])
            self.request("signalements", "GET", f"/signalements/?state={state}")
        elif self.cases:
            self.request("signalement", "GET", f"/signalements/{self.rng.choice(self.cases)}/")
        else:
            self.request("mes tâches", "GET", "/taches/")

    def act(self) -> None:
        """Take a task, then do it (one time in four: the state moves on) or not yet: the member
        records a family not reached and puts the task back, the coordinator puts it back. So the
        queues last the whole run while the cases move on."""
        if self.held:
            task, url = self.held
            self.held = None
            if self.rng.random() < 0.25:
                response, _ = self.request("action", "POST", url, self.form)
                if response is not None and response.status == 302:
                    self.cases.append(url.split("/")[2])
                return
            if "outcome" in self.form:
                self.request("contact non abouti", "POST", url, {**self.form, "outcome": "unreachable"})
                self.to_release = task
                return
            self.request("remise", "POST", f"/taches/{task}/rendre/")
        elif self.to_release:
            self.request("remise", "POST", f"/taches/{self.to_release}/rendre/")
            self.to_release = ""
        else:
            task = self.queue.pop(self.rng.randrange(min(5, len(self.queue))))
            response, _ = self.request("prise", "POST", f"/taches/{task}/prendre/")
            if response is not None and response.status == 302:
                # The task's page leads to the action that does it.
                response, _ = self.request("tâche", "GET", f"/taches/{task}/")
                location = response.getheader("Location", "") if response is not None else ""
                self.held = (task, location) if location.startswith("/signalements/") else None


def people(count: int) -> list[tuple[str, str, dict]]:
    """The clients: in the départements with the most cases waiting, a member who contacts families
    and the coordinator; each with the task type they take and the form that does it."""
    today = datetime.date.today().isoformat()
    busiest = (Case.objects.values("departement").annotate(waiting=Count("pk", filter=Q(state="received")))
               .order_by("-waiting").values_list("departement", flat=True)[:count // 2])
    found = []
    for departement in busiest:
        members = Membership.objects.active().filter(cell__departement=departement).select_related("user")
        contact = next(m for m in members if m.contacts_families)
        coordinator = next(m for m in members if m.role == Role.COORDINATOR)
        referent = next(m for m in members if m.role == Role.MEMBER)
        found.append((contact.user, "contact_family", {"on": today, "channel": "phone", "outcome": "reached"}))
        found.append((coordinator.user, "name_referent", {"referent": referent.pk}))
    for user, _, _ in found:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return [(user.username, task_type, form) for user, task_type, form in found]


def serve(port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603 (the project's own gunicorn)
        [str(ROOT / ".venv/bin/gunicorn"), "project.wsgi", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning"], cwd=ROOT, env={**os.environ, "EMAIL_URL": "dummy://"})
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/connexion/")
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn n'a pas démarré")


def report(clients: list[Client], seconds: float) -> None:
    timings = [t for client in clients for t in client.timings]
    for kind in sorted({kind for kind, _, _ in timings}):
        times = sorted(t for k, t, _ in timings if k == kind)
        print(json.dumps({"bench": "load", "request": kind, "count": len(times),
                          "p50_ms": round(statistics.median(times) * 1000, 1),
                          "p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 1) if len(times) > 1 else None,
                          "errors": sum(1 for k, _, ok in timings if k == kind and not ok)}, ensure_ascii=False))
    times = sorted(t for _, t, _ in timings)
    actions = sum(1 for kind, _, _ in timings if kind in ACTIONS)
    print(json.dumps({"bench": "load", "clients": len(clients), "seconds": seconds, "requests": len(times),
                      "requests_per_s": round(len(times) / seconds, 1),
                      "task_actions_per_s": round(actions / seconds, 1),
                      "p50_ms": round(statistics.median(times) * 1000, 1),
                      "p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 1),
                      "errors": sum(1 for _, _, ok in timings if not ok)}, ensure_ascii=False), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20000, help="jeu national créé si la base n'en a pas")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4, help="processus gunicorn")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if Case.objects.count() < args.cases // 2:
        call_command("seed_national", cases=args.cases, verbosity=0)
    chosen = people(args.clients)
    server = serve(args.port, args.workers)
    try:
        clients = [Client(args.port, username, task_type, form, seed)
                   for seed, (username, task_type, form) in enumerate(chosen)]
        for client in clients:
            client.sign_in()
        deadline = time.monotonic() + args.seconds
        for client in clients:
            client.deadline = deadline
            client.start()
        for client in clients:
            client.join()
        report(clients, args.seconds)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
