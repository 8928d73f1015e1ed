"""The start of care, one flow whoever sets it up: a case assigned to its référent is « Prise en charge »
once a care measure is under way and its plan has an objective — the référent's « Démarrer la prise en
charge », or a coordinator's orientation to a partner followed by the plan (``care_set_up``, called by
the entry points that add either); and the rhythm of its reviews (``next_review``)."""

import datetime

from django.utils import timezone

from cases import task_kinds
from cases.actions.base import record_transition, save_case
from cases.models import Case, State
from organisation.policy import Actor
from workflows import tasks


def next_review(case: Case, today: datetime.date) -> datetime.date:
    """The next review offered: the case's cellule's rhythm for its state (``Cell.review_days_*``)."""
    cell = case.departement.cell
    days = cell.review_days_mobile_team if case.state == State.MOBILE_TEAM_REQUESTED else cell.review_days_in_care
    return today + datetime.timedelta(days=days)


def begin(actor: Actor, case: Case, **details: object) -> None:
    """Move the locked case to « Prise en charge », its next review set, its tasks in step, recorded."""
    before = case.state
    case.start_care()
    case.next_review_on = next_review(case, timezone.localdate())
    save_case(case)
    tasks.sync(case, actor, done=task_kinds.SET_UP_CARE)
    record_transition("start_care", actor, case, before, prochaine_revue=case.next_review_on.isoformat(), **details)


def care_set_up(actor: Actor, case: Case) -> None:
    """The locked case, assigned, with a measure under way and an objective in its plan, is in care now:
    whoever added the last of them started it (the référent's start-of-care task is done with it)."""
    if (case.state == State.ASSIGNED and case.care_measures.filter(ends_on__isnull=True).exists()
            and case.objectives.exists()):
        begin(actor, case, mise_en_place="prise en charge et plan en place")
