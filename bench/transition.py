"""A transition and a claim against the bare stack's, measured in the same run.

Run by hand, never by the test suite, on a throwaway PostgreSQL database of ours and one for the bare
stack (``bench/bare``: Django, viewflow, django-fsm-2 and simple-history, nothing of ours):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cellule_transition \\
        BARE_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cellule_bare .venv/bin/python bench/transition.py

Ours: the demo's accounts (``seed_demo`` runs if they are missing) post each action through the test
client, with every middleware of the product, on a case brought to the state it needs before the
clock starts. The bare stack does the same in a subprocess with its own settings: a ticket whose
viewflow task is completed with its transition, a session and authentication middleware. The two
stacks take turns (A B A B): ``--rounds`` rounds of ``--runs``/``--rounds`` requests of each kind on
each side, so that a change in the machine's load falls on both. One JSON line per request and side
(median, 95th percentile, queries over all the rounds), then one line of ratios. ``--bare-options``
adds a third side taking the same turns, the bare stack connected with our database options (server-side
binding and prepared statements, the planner's settings: ``project.env``), and the ratios to it
(``ratio_bare_options``): the issue compares with the bare stack as Django configures it, this says
what the options alone would give it. ``--tiny`` (two runs in two rounds) is what the test suite runs,
so that the script keeps working.
"""

import argparse
import datetime
import io
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "bare"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DEMO", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from timing import sample, summary  # noqa: E402

from cases import actions  # noqa: E402
from cases.task_kinds import CONTACT_FAMILY  # noqa: E402
from organisation import policy  # noqa: E402
from organisation.models import Institution, Role  # noqa: E402

# The request measured: the bare stack's name for it, the state our case is brought to first.
STEPS = {
    "claim": "received",
    "contact_family": "received",
    "assign": "family_contacted",
    "start_care": "assigned",
    "review": "in_care",
}
# The plan's first objective, which starting the care asks with the measure.
OBJECTIVE = {"domain": "schooling", "text": "Reprendre l'école."}


class Ours:
    """The demo's coordinator and member of the 93 acting on new cases of their cellule."""

    def __init__(self) -> None:
        users = get_user_model().objects
        if not users.filter(username="coord93").exists():
            call_command("seed_demo", verbosity=0, stdout=io.StringIO())  # stdout: the figures alone
        self.coordinator, self.member = users.get(username="coord93"), users.get(username="membre93")
        self.cell = self.coordinator.memberships.get(role=Role.COORDINATOR).cell
        self.institution = Institution.objects.partners_in(self.cell.departement_id).order_by("pk").first()
        self.today = timezone.localdate()  # the Seine-Saint-Denis's day, not the machine's (UTC)
        self.clients = {}
        for user in (self.coordinator, self.member):
            self.clients[user] = Client(HTTP_HOST="localhost")
            self.clients[user].force_login(user)

    def case_in(self, state: str):
        coordinator, today = self.coordinator, self.today
        person = {"last_name": "Banc", "first_name": "Essai", "birth_date": datetime.date(2010, 3, 4), "sex": "m",
                  "commune": "Bobigny"}
        case = actions.intake(coordinator, self.cell, source="cnapr", received_on=today, facts="Banc d'essai.",
                              person=person)
        if state != "received":
            actions.record_family_contact(coordinator, case, on=today, channel="phone", outcome="reached")
        if state in ("assigned", "in_care"):
            actions.assign(coordinator, case, referent=self.member)
        if state == "in_care":
            actions.start_care(self.member, case, measure=self.measure(), objective=OBJECTIVE)
        # The scope cached on these objects by the calls above is not the request's to use.
        policy.forget(coordinator)
        policy.forget(self.member)
        return case

    def measure(self) -> dict:
        return {"modality": "social", "beneficiary": "young_person", "starts_on": self.today,
                "institution": self.institution, "adhesion": "family"}

    def request(self, name: str):
        """Build the case ``name`` needs, and return the POST to time."""
        case = self.case_in(STEPS[name])
        if name == "claim":
            task = case.tasks.get(flow_task_name=CONTACT_FAMILY)
            return self.post(self.coordinator, reverse("workflows:claim", args=[task.pk]), {})
        slug, user, data = {
            "contact_family": ("contact", self.coordinator,
                               {"on": self.today.isoformat(), "channel": "phone", "outcome": "reached"}),
            "assign": ("attribuer", self.coordinator, {"referent": self.member.memberships.get().pk}),
            "start_care": ("prise-en-charge", self.member, {**self.measure(), **OBJECTIVE,
                                                             "institution": self.institution.pk,
                                                             "starts_on": self.today.isoformat()}),
            "review": ("revue", self.member, {"note": "Point d'étape.", **{
                f"avancement_{pk}": "advancing" for pk in case.objectives.values_list("pk", flat=True)}}),
        }[name]
        return self.post(user, reverse("cases:action", args=[case.pk, slug]), data)

    def post(self, user: User, url: str, data: dict):
        return lambda: self.clients[user].post(url, data)


class Bare:
    """The bare stack's process, which measures what it is asked, one request kind at a time."""

    def __init__(self, options: dict | None = None) -> None:
        environment = {**os.environ, "BARE_DATABASE_OPTIONS": json.dumps(options or {})}
        self.process = subprocess.Popen(  # noqa: S603 (our own script)
            [sys.executable, str(ROOT / "bench" / "bare" / "run.py")], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, env=environment)
        if not json.loads(self.process.stdout.readline() or "{}").get("ready"):
            sys.exit("La pile nue n'a pas démarré.")

    def sample(self, name: str, runs: int) -> dict[str, list]:
        self.process.stdin.write(f"{name} {runs}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            sys.exit(f"La pile nue s'est arrêtée en mesurant {name}.")
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50, help="requêtes de chaque sorte, de chaque côté")
    parser.add_argument("--rounds", type=int, default=5, help="tours alternés (pile nue, la nôtre, …)")
    parser.add_argument("--tiny", action="store_true", help="2 requêtes de chaque sorte en 2 tours")
    parser.add_argument("--bare-options", action="store_true",
                        help="mesurer aussi la pile nue avec les options de connexion de la nôtre")
    args = parser.parse_args()
    if args.tiny:
        args.runs, args.rounds = 2, 2
    if connection.vendor != "postgresql":
        sys.exit("Ce banc d'essai mesure PostgreSQL : donnez DATABASE_URL=postgresql://…")
    call_command("migrate", verbosity=0)
    # The e-mails a task sends are kept in memory: a mail server's time is not the transition's.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ours = Ours()
    bares = {"bare": Bare()}
    if args.bare_options:
        bares["bare_options"] = Bare(settings.DATABASES["default"]["OPTIONS"])
    sides = [*bares, "ours"]
    per_round = -(-args.runs // args.rounds)
    samples = {(name, side): {"times": [], "queries": []} for name in STEPS for side in sides}
    try:
        for _ in range(args.rounds):
            for name in STEPS:
                for side in sides:
                    figures = bares[side].sample(name, per_round) if side in bares else sample(
                        lambda name=name: ours.request(name), per_round)
                    for key in ("times", "queries"):
                        samples[name, side][key] += figures[key]
    finally:
        for bare in bares.values():
            bare.close()
    for name in STEPS:
        figures = {side: summary(samples[name, side]) for side in sides}
        for side in sides:
            print(json.dumps({"request": name, "side": side, "rounds": args.rounds, **figures[side]}), flush=True)
        mine = figures["ours"]
        for bare in bares:
            base = figures[bare]
            print(json.dumps({"request": name, "side": "ratio" if bare == "bare" else f"ratio_{bare}",
                              "p50": round(mine["p50_ms"] / base["p50_ms"], 2),
                              "p95": round(mine["p95_ms"] / base["p95_ms"], 2),
                              "queries": round(mine["queries"] / base["queries"], 2)}), flush=True)


if __name__ == "__main__":
    main()
