"""One search box across the young people, the cases and the meetings a person may open.

It asks what each list asks: the cases of ``Case.objects.visible_to`` found by ``search`` (a name only
among those the reader opens without a motive), their young people where the reader may open the
young person's page, the meetings of the cellules whose calendar they read. Every search is a read
of the trail, with what it showed; the searched text is kept there only when it is a reference (a
name or a commune never stands in the trail).
"""

import datetime
import re

from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_safe

import audit
from cases.models import Case
from cases.rules import CaseRight, coordinates, needs_motive, partnered_cases
from cases.views.cases import NAME_SEARCHED
from cellule.models import Meeting
from organisation import policy
from organisation.policy import Actor
from workflows.rules import cases_held
from workflows.saved_views import searches_names

LIMIT = 20  # of each kind: a search names what it finds, it does not list a département
_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_MONTH = re.compile(r"^(\d{1,2})/(\d{4})$")


def _meetings(user: Actor, text: str) -> list[Meeting]:
    """The meetings of the reader's cellules held on a day (``12/03/2026``) or in a month (``03/2026``),
    or whose minutes hold the text (three letters at least)."""
    cells = policy.scope(user).cell_ids
    day, month = _DAY.match(text), _MONTH.match(text)
    try:
        if day:
            when = Q(held_at__date=datetime.date(int(day[3]), int(day[2]), int(day[1])))
        elif month:
            datetime.date(int(month[2]), int(month[1]), 1)  # a month that exists
            when = Q(held_at__year=int(month[2]), held_at__month=int(month[1]))
        elif len(text) >= 3:
            when = Q(minutes__icontains=text)
        else:
            return []
    except ValueError:  # 31/02/2026: no such day
        return []
    return list(Meeting.objects.filter(when, cell_id__in=cells).select_related("cell__departement")
                .order_by("-held_at")[:LIMIT])


@require_safe
def search(request):
    user = request.user
    if not policy.scope(user).departement_ids:  # the national roles, the mobile team: no case, no meeting
        raise policy.AccessDenied(user, CaseRight.VIEW_CASE)
    text = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    cases, people, meetings = [], [], []
    if text:
        cases = list(Case.objects.visible_to(user).search(text, user=user)
                     .select_related("person__departement", "departement", "referent")
                     .order_by("-received_on", "-number")[:LIMIT])
        held, partners = cases_held(user, cases), partnered_cases(user, cases)
        for case in cases:
            case.named = not needs_motive(user, case, held | partners)
            # A partner reads their part of the case, not the young person's page.
            reads_person = case.pk not in partners or coordinates(user, case) or case.pk in held or (
                case.referent_id == user.pk)
            if case.named and reads_person and case.person not in people:
                people.append(case.person)
        meetings = _meetings(user, text)
        _record(user, text, cases, people, meetings)
    return render(request, "search.html", {"text": text, "cases": cases, "people": people, "meetings": meetings,
                                           "limit": LIMIT})


def _record(user: Actor, text: str, cases: list, people: list, meetings: list) -> None:
    """The read, in each département whose data it showed (the reader's own when it found nothing)."""
    codes = ({case.departement.code for case in cases} | {person.departement.code for person in people}
             | {meeting.cell.departement.code for meeting in meetings})
    primary = policy.scope(user).primary
    if not codes:
        codes = {primary.cell.departement.code if primary is not None and primary.cell is not None else ""}
    for code in sorted(codes):
        audit.record("search.run", departement=code, details={
            "requête": NAME_SEARCHED if searches_names(text) else text,
            "signalements": [case.reference for case in cases if case.departement.code == code],
            "jeunes": len([person for person in people if person.departement.code == code]),
            "réunions": [meeting.pk for meeting in meetings if meeting.cell.departement.code == code]})
