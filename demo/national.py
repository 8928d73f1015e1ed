"""A national data set for the benchmarks: a cellule in every département and cases in
every state of the lifecycle, with their tasks, history and audit trail, as the entry points leave
them. ``manage.py seed_national --cases N``; ``manage.py check_consistency`` proves the invariants.

The entry points take about a second per case; 200,000 cases are written in bulk instead
(``demo.bulk``: COPY on PostgreSQL). The cellules and their people are few and made through the
organisation's entry points. Each case's story (intake, claims, family contacts, the referent, care,
reviews, the closure, the reads) is played here into the rows each entry point would write: the case
and its history rows, the young person and relatives, contacts, measures, reviews, viewflow's
process and tasks (with the task row's copies), the audit events; the sealer then chains the events.
The mobile team's requests and the cellule's life are left to the demo (they are few nationally).
Deterministic: the same ``--seed`` gives the same stories.
"""

import datetime
import random
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone
from viewflow.workflow.models import Process, Task

from audit import canonical, sealer
from audit.changes import diff, snapshot
from audit.models import Event
from cases.models import (
    CareMeasure,
    Case,
    CaseCounter,
    ClosureReason,
    Family,
    FamilyContact,
    FollowUpNote,
    Person,
    Relative,
    SearchToken,
    Sex,
    Situation,
    Source,
    State,
)
from cases.names import phonetic, search_tokens
from cases.task_kinds import CONTACT_FAMILY, DECIDE_CLOSURE, NAME_REFERENT, REVIEW, SET_UP_CARE
from demo.bulk import Table, Writer
from demo.cases import FACTS
from demo.cellules import Cellule, cellules
from demo.charter import accept_demo_charter
from demo.names import FIRST_NAMES, LAST_NAMES
from organisation.policy import audit_actor
from workflows import kinds
from workflows.models import CaseProcess, CaseTask

DAY = datetime.timedelta(days=1)
SIBLINGS = 0.1  # the share of young people signalés after a brother or sister, in the same family
FLOW = "workflows/flows.CaseFlow"
# The state each story stops at (when its steps do not run past today first).
GOALS = {State.RECEIVED: 8, State.FAMILY_CONTACTED: 6, State.ASSIGNED: 6, State.IN_CARE: 25, State.CLOSED: 55}
# How many of the steps (contact, assign, start care, reviews, close) lead to each goal.
STEPS: dict[str, int] = {State.RECEIVED: 0, State.FAMILY_CONTACTED: 1, State.ASSIGNED: 2, State.IN_CARE: 4,
                         State.CLOSED: 5}
CLOSURES = [ClosureReason.COMPLETED, ClosureReason.UNFOUNDED, ClosureReason.JUSTICE, ClosureReason.LEFT,
            ClosureReason.CONSENT_LOST]


class Tables:
    """The tables a case's story writes to, built once."""

    def __init__(self) -> None:
        history = ("history_id",)
        self.case, self.case_history = Table(Case), Table(Case.history.model, history)
        self.family = Table(Family)
        self.person, self.person_history = Table(Person), Table(Person.history.model, history)
        self.token = Table(SearchToken, ("id",))
        self.relative, self.relative_history = Table(Relative), Table(Relative.history.model, history)
        self.contact, self.contact_history = Table(FamilyContact), Table(FamilyContact.history.model, history)
        self.measure, self.measure_history = Table(CareMeasure), Table(CareMeasure.history.model, history)
        self.review = Table(FollowUpNote)
        self.process, self.case_process = Table(Process), Table(CaseProcess)
        self.task, self.case_task = Table(Task), Table(CaseTask)
        self.previous = Table(Task.previous.through, ("id",))
        self.event = Table(Event, ("id", "txid"))


class Story:
    """One case, played step by step into the rows the entry points write."""

    def __init__(self, national: "National", cellule: Cellule, rng: random.Random) -> None:
        self.n, self.cellule, self.rng = national, cellule, rng
        self.w, self.t = national.writer, national.tables
        self.now = national.now
        received = national.today - DAY * rng.randint(3, national.days)
        self.at = datetime.datetime.combine(received + DAY * rng.randint(0, 2), datetime.time(8), datetime.UTC)
        self.at = min(self.at + datetime.timedelta(minutes=rng.randint(0, 600)), self.now)
        self.open_tasks: dict[str, dict] = {}
        self.measure: CareMeasure | None = None
        self.case = self._intake(received)

    # --- time and rows ----------------------------------------------------------------------------
    def later(self, days_from: int, days_to: int) -> bool:
        """Move the story's clock on; False when that would pass the present: the story stops."""
        at = self.at + DAY * self.rng.randint(days_from, days_to) + datetime.timedelta(minutes=self.rng.randint(0, 480))
        if at >= self.now:
            return False
        self.at = at
        return True

    def save_case(self, user: User, first: bool = False) -> None:
        self.w.add(self.t.case_history, {**self.case, "history_date": self.at, "history_type": "+" if first else "~",
                                         "history_user_id": user.pk, "history_change_reason": None})

    def event(self, action: str, user: User, details: dict, obj: tuple[str, int] | None = None) -> None:
        role, cell = self.n.actor(user)
        object_type, object_id = obj or ("cases.case", self.case["id"])
        self.w.add(self.t.event, {
            "time": self.at, "actor_id": user.pk, "actor_label": user.username, "actor_role": role,
            "actor_cell": cell, "ip": self.n.address(user), "request_id": f"{self.rng.getrandbits(128):032x}",
            "action": action, "object_type": object_type, "object_id": str(object_id),
            "departement": self.cellule.departement.code,
            "details": canonical.details({"signalement": self.case["reference"], **details})})

    def transition(self, name: str, user: User, before: str, **details: Any) -> None:
        self.save_case(user)
        self.event(f"case.{name}", user, {"de": before, "vers": self.case["state"], **details})

    # --- tasks ------------------------------------------------------------------------------------
    def _task(self, node: str, kind: str, status: str, owner=None, due: datetime.date | None = None) -> dict:
        task_id = self.w.new_id(CaseTask)
        task = {"id": task_id, "task_ptr_id": task_id, "flow_task": f"{FLOW}.{node}", "flow_task_type": kind,
                "status": status, "created": self.at, "token": "start", "process_id": self.process_id,
                "owner_id": owner.pk if owner else None, "case_id": self.case["id"],
                "departement_id": self.cellule.departement.pk, "flow_task_name": node if kind == "HUMAN" else "",
                "due_on": due, "data": {}}
        if kind == "START":
            task.update(started=self.at, finished=self.at)
        elif owner is not None:
            task["assigned"] = self.at
        return task

    def _write_task(self, task: dict) -> None:
        row = {**task, "listed_status": task["status"], "listed_owner_id": task["owner_id"]}
        self.w.add(self.t.task, row)
        self.w.add(self.t.case_task, row)
        if task["flow_task_type"] == "HUMAN":
            self.w.add(self.t.previous, {"from_task_id": task["id"], "to_task_id": self.start_task})

    def open_task(self, task_type: str, owner=None, due: datetime.date | None = None) -> None:
        due = due or self.at.date() + DAY * settings.TASK_DUE_DAYS[task_type]
        self.open_tasks[task_type] = self._task(task_type, "HUMAN", "ASSIGNED" if owner else "NEW", owner, due)

    def claim(self, task_type: str, user: User) -> None:
        task = self.open_tasks[task_type]
        task.update(status="ASSIGNED", owner_id=user.pk, assigned=self.at)
        kind = kinds.get(task_type)
        label = kind.label if kind else task_type
        self.event("task.claim", user, {"tâche": label}, obj=("workflows.casetask", task["id"]))

    def complete(self, task_type: str, user: User) -> None:
        task = self.open_tasks.pop(task_type)
        if task["owner_id"] != user.pk:
            task.update(owner_id=user.pk, assigned=task.get("assigned") or self.at)
        task.update(status="DONE", started=self.at, finished=self.at)
        self._write_task(task)

    def cancel_open(self) -> None:
        for task in self.open_tasks.values():
            task.update(status="CANCELED", finished=self.at)
            self._write_task(task)
        self.open_tasks.clear()

    # --- the steps --------------------------------------------------------------------------------
    def _intake(self, received: datetime.date) -> dict:
        rng, cellule, coordinator = self.rng, self.cellule, self.cellule.coordinator
        year = self.at.year
        number = cellule.numbers[year] = cellule.numbers.get(year, 0) + 1
        case_id, source, person_id = self.w.new_id(Case), rng.choice(Source.values), self.w.new_id(Person)
        case = {"id": case_id, "departement_id": cellule.departement.pk, "person_id": person_id, "year": year,
                "number": number,
                "reference": f"{cellule.departement.code}-{year}-{number:04d}", "source": source,
                "source_reference": f"CNAPR-{year}-{case_id:07d}" if source == Source.CNAPR else "",
                "received_on": received, "facts": rng.choice(FACTS), "state": State.RECEIVED,
                "closure_proposed": False, "created_at": self.at}
        self.case = case
        self.save_case(coordinator, first=True)
        sex = rng.choice(Sex.values)
        sibling = bool(cellule.families) and rng.random() < SIBLINGS
        if sibling:  # the brother or sister of a young person signalé before: their family, their mother
            family_id, last_name = rng.choice(cellule.families[-20:])
        else:
            family_id, last_name = self.w.new_id(Family), rng.choice(LAST_NAMES)
            self.w.add(self.t.family, {"id": family_id, "departement_id": cellule.departement.pk})
            cellule.families.append((family_id, last_name))
        first_name = rng.choice(FIRST_NAMES[Sex(sex)])
        person: dict[str, Any] = {
                  "id": person_id, "departement_id": cellule.departement.pk, "family_id": family_id,
                  "last_name": last_name,
                  "first_name": first_name,
                  "birth_date": received - DAY * (365 * rng.randint(12, 20) + rng.randint(0, 364)), "sex": sex,
                  "commune": cellule.departement.name, "situation": rng.choice(Situation.values),
                  "phonetic_last": phonetic(last_name), "phonetic_first": phonetic(first_name)}
        self._with_history(self.t.person, self.t.person_history, person, coordinator)
        for token in sorted(search_tokens(last_name, first_name, person["commune"])):
            self.w.add(self.t.token, {"person_id": person["id"], "departement_id": person["departement_id"],
                                      "token": token})
        relatives = 0 if sibling else 1 + (rng.random() < 0.4)
        for relation in ["mother", "father"][:relatives]:
            self._with_history(self.t.relative, self.t.relative_history, {
                "id": self.w.new_id(Relative), "family_id": family_id, "relation": relation, "last_name": last_name,
                "phonetic_last": phonetic(last_name),
                "first_name": rng.choice(FIRST_NAMES[Sex.FEMALE if relation == "mother" else Sex.MALE]),
                "phone": f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                "parental_authority": True}, coordinator)
        self.process_id = self.w.new_id(CaseProcess)
        self.process = {"id": self.process_id, "process_ptr_id": self.process_id, "flow_class": FLOW, "status": "NEW",
                        "created": self.at, "data": {}, "case_id": case["id"]}
        start = self._task("start", "START", "DONE")
        self.start_task = start["id"]
        self._write_task(start)
        self.event("case.intake", coordinator, {"origine": case["source"], "proches": relatives})
        self.open_task(CONTACT_FAMILY, due=min(received, self.at.date()) + DAY * settings.TASK_DUE_DAYS[
            CONTACT_FAMILY])
        return case

    def _with_history(self, table: Table, history: Table, row: dict, user: User) -> None:
        self.w.add(table, row)
        self.w.add(history, {**row, "history_date": self.at, "history_type": "+", "history_user_id": user.pk,
                             "history_change_reason": None})

    def play(self, goal: str) -> None:
        """The steps up to ``goal``, as far as today allows; then the reads, and the rows still open."""
        steps = [self.contact, self.assign, self.start_care, self.reviews, self.close][:STEPS[goal]]
        if goal == State.CLOSED and self.rng.random() < 0.15:
            steps = [self.close]  # found unfounded on reception
        for step in steps:
            if not step():
                break
        self.reads()
        for task in self.open_tasks.values():
            self._write_task(task)
        self.w.add(self.t.case, self.case)
        if self.measure is not None:
            self.w.add(self.t.measure, {f.attname: getattr(self.measure, f.attname)
                                        for f in self.measure._meta.concrete_fields})
        self.w.add(self.t.process, self.process)
        self.w.add(self.t.case_process, self.process)

    def contact(self) -> bool:
        member = self.cellule.members[self.rng.randrange(min(2, len(self.cellule.members)))]
        if not self.later(0, 3):
            return False
        self.claim(CONTACT_FAMILY, member)
        if self.rng.random() < 0.3 and self.later(1, 4):
            self._contact(member, FamilyContact.Outcome.UNREACHABLE)
            self.event("case.family_contact", member, {"résultat": "unreachable", "moyen": "phone"})
        if not self.later(1, 5):
            return False
        self._contact(member, FamilyContact.Outcome.REACHED)
        self.case["state"] = State.FAMILY_CONTACTED
        self.complete(CONTACT_FAMILY, member)
        self.open_task(NAME_REFERENT)
        self.transition("contact_family", member, State.RECEIVED, moyen="phone")
        return True

    def _contact(self, member, outcome: str) -> None:
        self._with_history(self.t.contact, self.t.contact_history, {
            "id": self.w.new_id(FamilyContact), "case_id": self.case["id"], "on": self.at.date(), "channel": "phone",
            "by_id": member.pk, "outcome": outcome}, member)

    def assign(self) -> bool:
        coordinator = self.cellule.coordinator
        if not self.later(1, 10):
            return False
        self.claim(NAME_REFERENT, coordinator)
        if not self.later(0, 5):
            return False
        referent = self.rng.choice(self.cellule.members)
        self.case.update(state=State.ASSIGNED, referent_id=referent.pk)
        self.complete(NAME_REFERENT, coordinator)
        self.open_task(SET_UP_CARE, owner=referent)
        self.referent = referent
        self.transition("assign", coordinator, State.FAMILY_CONTACTED, motif="",
                        référent={"avant": None, "après": f"{referent.get_full_name()} ({referent.username})"})
        return True

    def start_care(self) -> bool:
        if not self.later(2, 20):
            return False
        measure = CareMeasure(id=self.w.new_id(CareMeasure), case_id=self.case["id"],
                              modality=self.rng.choice(CareMeasure.Modality.values),
                              beneficiary=self.rng.choice(CareMeasure.Beneficiary.values),
                              institution_id=self.rng.choice(self.cellule.institutions).pk, starts_on=self.at.date())
        self.measure = measure  # written with its last values, when the story ends
        self.measure_row(measure, "+", self.referent)
        self.event("case.care_measure_add", self.referent, {"mesure": snapshot(measure)})
        self.case["state"] = State.IN_CARE
        self.complete(SET_UP_CARE, self.referent)
        self.open_task(REVIEW, owner=self.referent)
        self.transition("start_care", self.referent, State.ASSIGNED)
        return True

    def measure_row(self, measure: CareMeasure, kind: str, user: User) -> None:
        """The measure's history row as it is now (its own row is written when the story ends)."""
        values = {f.attname: getattr(measure, f.attname) for f in measure._meta.concrete_fields}
        self.w.add(self.t.measure_history, {**values, "history_date": self.at, "history_type": kind,
                                            "history_user_id": user.pk, "history_change_reason": None})

    def reviews(self) -> bool:
        """Reviews every month or so; the last one may propose the closure."""
        for _ in range(self.rng.randint(1, 6)):
            if not self.later(20, 40):
                return False
            self.review(propose=False)
        return True

    def review(self, propose: bool) -> None:
        self.w.add(self.t.review, {"id": self.w.new_id(FollowUpNote), "case_id": self.case["id"], "on": self.at.date(),
                                   "by_id": self.referent.pk, "note": "Point de situation : suivi régulier.",
                                   "propose_closure": propose})
        self.case["closure_proposed"] = self.case["closure_proposed"] or propose
        self.save_case(self.referent)
        self.complete(REVIEW, self.referent)
        self.open_task(REVIEW, owner=self.referent)
        if propose:
            self.open_task(DECIDE_CLOSURE)
        self.event("case.review", self.referent, {"clôture_proposée": propose})

    def close(self) -> bool:
        coordinator, before = self.cellule.coordinator, self.case["state"]
        proposed = before == State.IN_CARE and self.later(20, 40)
        if proposed:
            self.review(propose=True)
        if not self.later(1, 10):
            return False
        reason = ClosureReason.UNFOUNDED if before == State.RECEIVED else self.rng.choice(CLOSURES)
        note = "Signalement clôturé après examen en cellule."
        self.case.update(state=State.CLOSED, closure_reason=reason, closure_note=note, closed_on=self.at.date(),
                         closure_proposed=False)
        if proposed:
            self.claim(DECIDE_CLOSURE, coordinator)
            self.complete(DECIDE_CLOSURE, coordinator)
        if self.measure is not None:  # the closure ends the measure under way (cases.actions.end_open_measures)
            before = snapshot(self.measure)
            self.measure.ends_on = self.at.date()
            self.measure.outcome = (CareMeasure.Outcome.COMPLETED if reason == ClosureReason.COMPLETED
                                    else CareMeasure.Outcome.INTERRUPTED)
            self.measure_row(self.measure, "~", coordinator)
            self.event("case.care_measure_end", coordinator,
                       {"mesure": self.measure.pk, "changements": diff(before, snapshot(self.measure))})
        self.cancel_open()
        self.process.update(status="DONE", finished=self.at)
        self.transition("close", coordinator, before, motif=reason, note=note)
        return True

    def reads(self) -> None:
        """The pages that showed the case: its coordinator's and its referent's reads, spread over its life."""
        start, end = self.case["created_at"], max(self.at, self.case["created_at"])
        readers = [self.cellule.coordinator] + ([self.referent] if self.case.get("referent_id") else [])
        for _ in range(self.rng.randint(*self.n.reads)):
            self.at = start + (end - start) * self.rng.random()
            self.event("case.view", self.rng.choice(readers), {})


class National:
    """``cases`` cases spread over the départements, written in batches of ``batch`` cases."""

    def __init__(self, cases: int, seed: int = 0, days: int = 730, reads: tuple[int, int] = (8, 22),
                 batch: int = 2000) -> None:
        self.count, self.days, self.reads, self.batch = cases, days, reads, batch
        self.rng = random.Random(seed)  # noqa: S311 (fictitious data)
        self.now, self.today = timezone.now(), timezone.localdate()
        self.writer, self.tables = Writer(), Tables()
        self.actors: dict[int, tuple[str, str]] = {}
        self.addresses: dict[int, str] = {}

    def actor(self, user: User) -> tuple[str, str]:
        if user.pk not in self.actors:
            self.actors[user.pk] = audit_actor(user)
        return self.actors[user.pk]

    def address(self, user: User) -> str:
        return self.addresses.setdefault(user.pk, f"10.{user.pk // 65536 % 256}.{user.pk // 256 % 256}.{user.pk % 256}")

    def run(self, progress=None) -> dict:
        all_cellules = cellules()
        for cellule in all_cellules:
            cellule.numbers = {row["year"]: row["last"] for row in CaseCounter.objects.filter(
                departement=cellule.departement).values("year", "last")}
        goals, weights = list(GOALS), list(GOALS.values())
        written = sealed = 0
        for first in range(0, self.count, self.batch):
            with transaction.atomic():
                for _ in range(min(self.batch, self.count - first)):
                    story = Story(self, self.rng.choice(all_cellules), self.rng)
                    story.play(self.rng.choices(goals, weights)[0])
                written += self.writer.flush()
            # Each batch's events are sealed once it has committed: the sealer reads only them.
            sealed += sealer.seal()
            if progress:
                progress(first + min(self.batch, self.count - first), written)
        with transaction.atomic():
            self.writer.finish()
            _counters(all_cellules)
            accept_demo_charter()  # its accounts read names: they have accepted the charter, as the demo's have
        sealed += sealer.seal()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return {"cases": self.count, "rows": written, "sealed": sealed}


def _counters(all_cellules: list[Cellule]) -> None:
    """The case counters follow the numbers given, so that the next intake takes the next one."""
    for cellule in all_cellules:
        for year, last in cellule.numbers.items():
            CaseCounter.objects.update_or_create(departement=cellule.departement, year=year,
                                                 defaults={"last": last})
