"""The case's path drawn on its page: the lifecycle's states in order (docs/case-lifecycle.md), the
ones the case went through with the day it first reached each, and the one it is in now — from the
case's history (one query), as a server-rendered SVG whose title and description say the same in words."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from cases.models import Case, State

STEP = 120  # the distance between two states, in the drawing's units
SHORT = {State.MOBILE_TEAM_REQUESTED: "Équipe mobile"}  # the label under its point, where the full one is long


@dataclass
class Step:
    state: str
    label: str
    reached_on: datetime.date | None  # the first day the case was in this state; None: never
    current: bool
    x: int
    y: int  # the vertical drawing's (phones)

    @property
    def short(self) -> str:
        return str(SHORT.get(State(self.state), self.label))

    @property
    def words(self) -> list[str]:
        """The label in at most two lines under its point."""
        words = self.short.split()
        return [" ".join(words[:1]), " ".join(words[1:])] if len(words) > 1 else words


def path(case: Case) -> list[Step]:
    """Each state of the lifecycle, in order: when the case first reached it, and whether it is there now."""
    reached: dict[str, datetime.date] = {}
    for state, when in case.states_reached():
        reached.setdefault(state, timezone.localtime(when).date())
    return [Step(state, str(label), reached.get(state), state == case.state, 40 + i * STEP, 20 + i * 44)
            for i, (state, label) in enumerate(State.choices)]


def described(steps: list[Step]) -> str:
    """The path in words: the drawing's text alternative."""
    went = [f"{step.label} le {step.reached_on:%d/%m/%Y}" for step in steps if step.reached_on]
    now = next(step.label for step in steps if step.current)
    return f"Parcours : {', '.join(went)}. État actuel : {now}."
