"""The demo's reading alert: yesterday the 93's PJJ educator opened seven cases outside his work, each
with a motive, where he and his peers open none on other days; the nightly detection raised it, for the
coordinator to examine (issue 30, point 7)."""

import datetime

import audit
from cases.models import Case
from cases.rules import needs_motive
from demo.cases import DemoCases
from organisation.policy import SYSTEM
from vigilance import actions
from vigilance.models import ReadingAlert

READER, READS = "pjj93", 7


def create_demo_reading_alert() -> None:
    """Once: the reads, dated yesterday and recorded as the case page records a read with its motive,
    then the nightly detection of that day."""
    demo = DemoCases("93")
    if ReadingAlert.objects.filter(cell=demo.cell).exists():
        return
    reader = next(member for member in demo.members if member.username == READER)
    yesterday = demo.today - datetime.timedelta(days=1)
    outside = [case for case in Case.objects.filter(departement=demo.cell.departement).order_by("number")
               if needs_motive(reader, case)][:READS]
    for hour, case in enumerate(outside, start=9):
        with demo.on(yesterday, hour=hour), audit.acting(reader):
            audit.record("case.view", obj=case, departement=case.departement.code,
                         details={"signalement": case.reference, "motif": "Vérification d'une information transmise"})
    actions.detect(SYSTEM, yesterday)
