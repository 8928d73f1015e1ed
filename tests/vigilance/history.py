"""Generated histories of reading: an account opening cases on given days, with a motive (outside its
work) or not, as the case pages record them (``cases.views.case_page.record_view``)."""

import datetime

import time_machine
from django.core.management import call_command
from django.utils import timezone

import audit
from vigilance.detector import HISTORY_DAYS

DAY = datetime.date(2026, 3, 31)  # the day examined
MOTIVE = "Remplacement d'un collègue absent"


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def read(user, day: datetime.date, cases: int, *, motive: bool = True, first: int = 0) -> None:
    """``user`` opens ``cases`` distinct cases (numbered from ``first``) on ``day``."""
    with time_machine.travel(at(day), tick=False):
        for n in range(first, first + cases):
            audit.record("case.view", object_type="cases.case", object_id=str(n), departement="93", actor=user,
                         details={"signalement": f"93-2026-{n:04d}", **({"motif": MOTIVE} if motive else {})})


def usual(user, per_day: int, days: int = HISTORY_DAYS) -> None:
    """``per_day`` cases a day with a motive, each of the ``days`` before ``DAY``."""
    for back in range(1, days + 1):
        read(user, DAY - datetime.timedelta(days=back), per_day, first=1000 + back * 100)


def detect(day: datetime.date = DAY) -> None:
    call_command("detect_unusual_reading", jour=day.isoformat())
