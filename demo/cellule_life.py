"""The demo's cellule life, told once the cases' stories and the cellule's teamwork are: the 93's meeting of
twelve days ago with its decisions, then as of today the next meetings, an interview request, a support
group session and last month's report, sent in the 93 (a draft in the 69). They come last so that they
see what the earlier days left: a decision goes to the référent the case has by then, a transferred case
is on no agenda and in no group, and the report sent counts the whole month (its transfers included)."""

import datetime

from django.utils import timezone

from cases.models import Case, State
from cellule import actions as cellule
from cellule.models import InterviewRequest
from demo.cases import PARIS, DemoCases
from reporting import actions as reports
from reporting.figures import Month

# What the demo's held meeting decides on the cases it reviews, in turn: each becomes its owner's task.
DEMO_DECISIONS = [("continue", "Poursuivre l'accompagnement social ; point au prochain comité."),
                  ("adjust_plan", "Ajouter un objectif de remobilisation scolaire avec le lycée."),
                  ("propose_closure", "Objectifs atteints : préparer le bilan de fin d'accompagnement.")]
# Each cellule meets at its own hour, on a working day.
MEETING_TIMES = {"93": datetime.time(10), "69": datetime.time(14, 30)}


def working_day(day: datetime.date, step: int = 1) -> datetime.date:
    """``day``, or the nearest working day after it (before it, ``step=-1``) when it falls on a weekend."""
    while day.weekday() >= 5:
        day += datetime.timedelta(days=step)
    return day


def meeting_time(code: str, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, MEETING_TIMES[code], tzinfo=PARIS)


def record_decisions(demo: DemoCases, meeting, held: datetime.date) -> None:
    """Everyone present; on the cases of the held meeting that have a référent, a decision for the référent,
    due within two or three weeks."""
    items = [item for item in meeting.items.select_related("case__referent") if item.case.referent_id]
    decisions = {item.pk: cellule.Decision(outcome=outcome, note=note, owner=item.case.referent,
                                           due_on=held + datetime.timedelta(days=14 + 7 * (index % 2)))
                 for index, (item, (outcome, note)) in enumerate(zip(items, DEMO_DECISIONS, strict=False))}
    attendance = {member.pk: "present" for member in meeting.cell.memberships.active(held)}
    cellule.record_meeting(demo.coordinator, meeting, minutes="", decisions=decisions, attendance=attendance)


def held_meeting() -> None:
    """The 93's last meeting, planned two weeks before it was held, twelve days ago or a little more."""
    demo = DemoCases("93")
    held = working_day(timezone.localdate() - datetime.timedelta(days=12), step=-1)
    planned = held - datetime.timedelta(days=14)
    on_agenda = Case.objects.filter(departement__code="93", received_on__lt=planned).exclude(state=State.CLOSED)
    with demo.on(planned, hour=10):
        meeting = cellule.schedule_meeting(demo.coordinator, demo.cell, cases=list(on_agenda[:3]),
                                           held_at=meeting_time("93", held))
    with demo.on(held, hour=16):
        record_decisions(demo, meeting, held)
        cellule.close_meeting(demo.coordinator, meeting, minutes="Situations revues ; suivis poursuivis.")


def create_demo_cellule_life() -> None:
    """The 93's held meeting; then today's acts of each cellule: the next meeting, an interview request, a
    support group session of two families whose young people are in care, and last month's report (a month
    is reported once it has ended: its figures are the demo's own, whose history is spread over the last
    months)."""
    held_meeting()
    month = Month(timezone.localdate().replace(day=1)).previous(1)
    for code, send in (("93", True), ("69", False)):
        demo = DemoCases(code)
        cases = Case.objects.filter(departement__code=code)
        open_cases = list(cases.exclude(state=State.CLOSED)[:2])
        next_day = working_day(demo.today + datetime.timedelta(days=14))
        cellule.schedule_meeting(demo.coordinator, demo.cell, held_at=meeting_time(code, next_day), cases=open_cases)
        families = list(cases.filter(state=State.IN_CARE).exclude(transfer_requests__status="pending")
                        .order_by("number")[:2])
        cellule.record_interview_request(demo.coordinator, families[0], with_whom="directeur_cabinet",
                                         requested_by="Mère", channel="letter", requested_on=demo.today,
                                         status=InterviewRequest.Status.REQUESTED)
        association = demo.random.choice([i for i in demo.institutions if i.category == "association"])
        group = cellule.create_support_group(
            demo.coordinator, demo.cell, name="Groupe de parole des parents", institution=association,
            facilitator=demo.cell.memberships.active().filter(institution=association).order_by("pk").first())
        cellule.record_support_session(demo.coordinator, group, on=demo.today, families=families)
        report = reports.edit(demo.coordinator, reports.current(demo.coordinator, demo.cell, month),
                              results="Adhésion des familles en hausse ; deux reprises de scolarité.",
                              difficulties="Délais de rendez-vous en pédopsychiatrie.", categories=["partners"])
        if send:
            reports.send(demo.coordinator, reports.validate(demo.coordinator, report))
