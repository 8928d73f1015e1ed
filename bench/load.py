"""HTTP load: signed-in people of several cellules working at once against the product served as
``make serve`` serves it (``bench/served.py``), for a minute.

Run by hand on a throwaway PostgreSQL database:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cellule_load .venv/bin/python bench/load.py --cases 20000
    DATABASE_URL=… .venv/bin/python bench/load.py --profile tasks mixed --clients 16 32 64

The test suite runs it with ``--tiny`` (a few clients for a few seconds, both profiles) so that it keeps
working. The database is migrated and given a national data set (``seed_national``) unless it holds one.
In each of the départements with the most cases waiting, two people work: a member who contacts
families (takes a "contacter la famille" task from the queue, records the family reached) and the
coordinator (takes a "désigner un référent" task, names a member); each acts on what its pages show
it (the tasks of its queue, the case a task leads to). Profiles:

- ``tasks``: 70 % of the requests read pages (the queue, my tasks, the case list, a case, the task's
  page), 30 % are task actions (take a task, then one time in four do it, otherwise put it back, the
  member after recording a family not reached).
- ``mixed``: the same people also open cases through the motive step (the page asks why, the answer is
  posted, the page opens), search names, and the coordinators open last month's report; one client in
  sixteen is a source posting signalements to the intake API with its token, one is the demo's
  inspector searching the trail (when the database has the demo).

Figures are named for what they are: a *request* is one HTTP request; an *action* is a request that
changed something (a task taken, done or put back, a family contact recorded, a motive given, a
signalement received), counted when it succeeded. One JSON line per kind of request (its class, count,
p50, p95, errors and their count by HTTP status or exception), then per number of clients the totals:
requests/s, actions/s, p50, p95, errors (and by status). The first failures are written to the
standard error (``bench/served.py``), with where the server's log is.
"""

import argparse
import datetime
import io
import json
import random
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import os  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DEMO", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.utils import timezone  # noqa: E402
from served import Session, emit, failures, give_password, serve, stop, summary  # noqa: E402

from cases.models import Case, Source  # noqa: E402
from demo.names import LAST_NAMES  # noqa: E402
from intake import actions as intake_actions  # noqa: E402
from intake.demo import signalement  # noqa: E402
from organisation.models import Departement, Membership, Role  # noqa: E402
from organisation.policy import SYSTEM  # noqa: E402
from reporting.figures import Month  # noqa: E402

# Each kind of request and its class: an action changes something, a read does not.
ACTIONS = {"prise", "tâche faite", "contact non abouti", "remise", "motif", "api : signalement"}
TASK_LINK = re.compile(r'action="/taches/(\d+)/prendre/"')
CASE_LINK = re.compile(r'href="/signalements/(\d+)/"')
# Of the loop's turns: a read is one request, an action one POST, plus the task's page after a
# claim (a read): 65 % of turns make 70 % of the requests reads and 30 % task actions.
READ_SHARE = 0.65
TINY = {"cases": 200, "profile": ["tasks", "mixed"], "clients": [4], "seconds": 2, "workers": 2}


class Worker(threading.Thread):
    """One member or coordinator: signs in, then reads and acts until the deadline."""

    def __init__(self, port: int, username: str, task_type: str, form: dict, seed: int, mixed: bool) -> None:
        super().__init__(daemon=True)
        self.session, self.username, self.task_type, self.form = Session(port), username, task_type, form
        self.mixed, self.deadline = mixed, 0.0
        self.rng = random.Random(seed)  # noqa: S311 (a load pattern)
        self.queue: list[str] = []  # task ids seen in the queue page
        self.held: tuple[str, str] | None = None  # the task in hand, and where it is done
        self.to_release = ""  # a task to put back in the queue
        self.cases: list[str] = []  # the cases this person worked on or saw listed
        self.report = f"/comptes-rendus/{Month(timezone.localdate().replace(day=1)).previous()}/"

    def request(self, kind: str, method: str, path: str, data: dict | None = None):
        return self.session.request(kind, method, path, data)

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            if self.rng.random() < READ_SHARE or not (self.held or self.to_release or self.queue):
                self.read_mixed() if self.mixed else self.read()
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
            _, content = self.request("signalements", "GET", f"/signalements/?state={state}")
            self.cases = (self.cases + CASE_LINK.findall(content.decode()))[-50:]
        elif self.cases:
            self.open_case(self.rng.choice(self.cases))
        else:
            self.request("mes tâches", "GET", "/taches/")

    def read_mixed(self) -> None:
        """The mixed profile's reads: the task pages less often, names searched, cases opened through
        the motive step, the coordinator's report."""
        choice = self.rng.random()
        if choice < 0.2 or not self.queue:
            _, content = self.request("file", "GET", f"/taches/file/?type={self.task_type}")
            self.queue = TASK_LINK.findall(content.decode())
        elif choice < 0.35:
            name = self.rng.choice(LAST_NAMES).split()[-1].lower()  # "lefèvre": the query string encoded
            _, content = self.request("recherche d'un nom", "GET", f"/signalements/?{urlencode({'q': name})}")
            self.cases = (self.cases + CASE_LINK.findall(content.decode()))[-50:]
        elif choice < 0.75 and self.cases:
            self.open_case(self.rng.choice(self.cases))
        elif choice < 0.85 and "referent" in self.form:
            self.request("compte rendu mensuel", "GET", self.report)
        else:
            self.request("mes tâches", "GET", "/taches/")

    def open_case(self, case: str) -> None:
        """A case's page; when it asks why (a case outside one's own work), the motive is given first."""
        response, _ = self.request("signalement", "GET", f"/signalements/{case}/")
        location = response.getheader("Location", "") if response is not None else ""
        if "/motif/" in location:
            self.request("motif", "POST", location.split("?")[0],
                         {"reason": "meeting", "suivant": f"/signalements/{case}/"})
            self.request("signalement", "GET", f"/signalements/{case}/")

    def act(self) -> None:
        """Take a task, then do it (one time in four: the state moves on) or not yet: the member
        records a family not reached and puts the task back, the coordinator puts it back. So the
        queues last the whole run while the cases move on."""
        if self.held:
            task, url = self.held
            self.held = None
            if self.rng.random() < 0.25:
                response, _ = self.request("tâche faite", "POST", url, self.form)
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


class Source_(threading.Thread):
    """A source posting signalements to the intake API with its service account's token."""

    def __init__(self, port: int, token: str, seed: int) -> None:
        super().__init__(daemon=True)
        self.session, self.token, self.deadline, self.seed = Session(port), token, 0.0, seed
        self.rng = random.Random(seed)  # noqa: S311 (a load pattern)

    def run(self) -> None:
        sent = 0
        while time.monotonic() < self.deadline:
            sent += 1
            body = signalement(timezone.localdate() - datetime.timedelta(days=1))
            body["source_reference"] = f"BANC-{self.seed}-{time.time_ns()}-{sent}"
            body["young_person"] |= {"last_name": self.rng.choice(LAST_NAMES), "birth_date": "2011-02-14"}
            self.session.request("api : signalement", "POST", "/api/v1/signalements", body=json.dumps(body),
                                 headers={"Authorization": f"Bearer {self.token}",
                                          "Content-Type": "application/json"})


class Inspector(threading.Thread):
    """The demo's inspector searching the trail of the département of their mandate."""

    ACTIONS = ["", "case.view", "case.assign", "task.claim", "case.record_contact"]

    def __init__(self, port: int, username: str, seed: int) -> None:
        super().__init__(daemon=True)
        self.session, self.username, self.deadline = Session(port), username, 0.0
        self.rng = random.Random(seed)  # noqa: S311 (a load pattern)

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            start = (timezone.localdate() - datetime.timedelta(days=self.rng.randint(1, 90))).isoformat()
            self.session.request("recherche dans le journal", "GET",
                                 f"/audit/?departement=93&action={self.rng.choice(self.ACTIONS)}&start={start}")


def people(count: int) -> list[tuple[str, str, dict]]:
    """The workers: in the départements with the most cases waiting, a member who contacts families
    and the coordinator; each with the task type they take and the form that does it."""
    busiest = (Case.objects.values("departement").annotate(waiting=Count("pk", filter=Q(state="received")))
               .order_by("-waiting").values_list("departement", flat=True)[:max(1, count // 2)])
    found = []
    for departement in busiest:
        members = (Membership.objects.active().filter(cell__departement=departement)
                   .select_related("user", "cell__departement"))
        contact = next((m for m in members if m.contacts_families), None)
        coordinator = next((m for m in members if m.role == Role.COORDINATOR), None)
        referent = next((m for m in members if m.role == Role.MEMBER), None)
        if contact and coordinator and referent:
            # The contact's day is the département's: an overseas one's is still yesterday while Paris's is today.
            today = timezone.localdate(timezone=contact.cell.departement.zone).isoformat()
            found.append((contact.user, "contact_family", {"on": today, "channel": "phone", "outcome": "reached"}))
            found.append((coordinator.user, "name_referent", {"referent": referent.pk}))
    give_password(user for user, _, _ in found)
    return [(user.username, task_type, form) for user, task_type, form in found[:count]]


def source_token() -> str:
    """A new service account of the Seine-Saint-Denis for this run (created through the entry point)."""
    _, token = intake_actions.create_account(SYSTEM, name=f"banc-de-charge-{time.time_ns()}", source=Source.CNAPR,
                                             departement=Departement.objects.get(code="93"))
    return token


def run(port: int, clients: int, seconds: float, mixed: bool) -> None:
    """One measure: ``clients`` people for ``seconds`` seconds."""
    special = max(1, clients // 16) if mixed else 0
    threads: list = [Worker(port, username, task_type, form, seed, mixed)
                     for seed, (username, task_type, form) in enumerate(people(clients - 2 * special))]
    if mixed:
        token = source_token()
        threads += [Source_(port, token, seed) for seed in range(special)]
        inspector = Membership.objects.active().filter(role=Role.INSPECTOR, user__username="inspecteur").first()
        if inspector:
            give_password([inspector.user])
            threads += [Inspector(port, inspector.user.username, seed) for seed in range(special)]
    for thread in threads:
        if hasattr(thread, "username"):
            thread.session.sign_in(thread.username)
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.deadline = deadline
        thread.start()
    for thread in threads:
        thread.join()
    report([thread.session for thread in threads], seconds, "mixed" if mixed else "tasks")


def report(sessions: list[Session], seconds: float, profile: str) -> None:
    timings = [t for session in sessions for t in session.timings]
    base = {"bench": "load", "profile": profile, "clients": len(sessions)}
    for kind in sorted({kind for kind, _, _ in timings}):
        of_kind = [t for t in timings if t[0] == kind]
        emit({**base, "request": kind, "class": "action" if kind in ACTIONS else "lecture", "count": len(of_kind),
              **summary([t for _, t, _ in of_kind]), **failures(of_kind)})
    times = [t for _, t, _ in timings]
    actions = sum(1 for kind, _, failure in timings if kind in ACTIONS and not failure)
    emit({**base, "seconds": seconds, "requests": len(times), "requests_per_s": round(len(times) / seconds, 1),
          "actions": actions, "actions_per_s": round(actions / seconds, 1), **summary(times), **failures(timings)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20000, help="jeu national créé si la base n'en a pas")
    parser.add_argument("--profile", choices=["tasks", "mixed"], nargs="+", default=["tasks"])
    parser.add_argument("--clients", type=int, nargs="+", default=[16], help="une mesure par nombre de clients")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4, help="processus gunicorn")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--tiny", action="store_true", help=f"que le script marche, sans mesurer : {TINY}")
    args = parser.parse_args()
    if args.tiny:
        args.cases, args.profile, args.clients, args.seconds, args.workers = TINY.values()
    call_command("migrate", verbosity=0)
    if Case.objects.count() < args.cases // 2:
        call_command("seed_national", cases=args.cases, verbosity=0, stdout=io.StringIO())
    server = serve(args.port, args.workers)
    try:
        for profile in args.profile:
            for clients in args.clients:
                run(args.port, clients, args.seconds, profile == "mixed")
    finally:
        stop(server)


if __name__ == "__main__":
    main()
