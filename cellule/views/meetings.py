"""The cellule's meetings: scheduling with an agenda, the record of a meeting, its printable minutes.

Coordinators schedule, record and close; every member of the cellule reads the calendar, the agendas
and the minutes, where a case is named only if the reader may open it (``Case.objects.visible_to``).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

import audit
from cases.models import Case
from cellule import actions as cellule
from cellule import agenda
from cellule.forms import AgendaForm, MeetingForm, ScheduleForm
from cellule.models import Attendance, Meeting
from cellule.rules import CelluleRight
from organisation import policy
from organisation.models import Cell
from organisation.policy import Actor
from ui.forms import BaseForm, add_errors, submit


def cell_of(request) -> Cell:
    """The cellule whose meetings are shown: the one the user coordinates, else the one they sit in.
    Any change (a POST) is the coordinators' alone."""
    if request.method == "POST" or policy.scope(request.user).coordinated_cell_ids:
        return policy.coordinated_cell(request.user, CelluleRight.MANAGE_MEETINGS)
    cells = (m.cell for m in policy.scope(request.user).memberships if m.cell_id)
    cell = next((c for c in cells if policy.can(request.user, CelluleRight.VIEW_MEETINGS, c)), None)
    if cell is None:
        raise policy.AccessDenied(request.user, CelluleRight.VIEW_MEETINGS)
    return cell


def agenda_items(user: Actor, meeting: Meeting) -> list:
    """The meeting's items, each marked ``readable`` when the user may open its case and given its agenda
    ``line`` (initials, référent, state, last review, why) (three queries)."""
    items = list(meeting.items.select_related("case__person", "owner"))
    readable = set(Case.objects.visible_to(user).filter(pk__in={item.case_id for item in items})
                   .values_list("pk", flat=True))
    lines = {line.case.pk: line for line in agenda.lines(Case.objects.filter(pk__in=readable),
                                                         {item.case_id: item.reasons for item in items})}
    for item in items:
        item.readable = item.case_id in readable  # type: ignore[attr-defined]  # for the template
        item.line = lines.get(item.case_id)  # type: ignore[attr-defined]
    return items


def record_view(meeting: Meeting, cell: Cell, items: list, action: str = "meeting.view", **details) -> None:
    """The read (or export), with the references the reader was shown; the cases they may not open are counted."""
    hidden = sum(not item.readable for item in items)
    audit.record(action, obj=meeting, departement=cell.departement.code, details={
        **details, "signalements": [item.case.reference for item in items if item.readable],
        **({"non consultables": hidden} if hidden else {})})


def attendances(cell: Cell, meeting: Meeting) -> list:
    """Every member of the cellule on the day, with their presence, "non renseignée" where none was
    recorded: nobody disappears from the minutes."""
    members = cell.memberships.active(meeting.day).select_related("user", "institution")
    presence = dict(meeting.attendances.values_list("membership_id", "presence"))
    labels = dict(Attendance.Presence.choices)
    return [(m, labels.get(presence.get(m.pk) or "", "présence non renseignée").lower()) for m in members]


def meeting_list(request):
    cell = cell_of(request)
    manage = policy.can(request.user, CelluleRight.MANAGE_MEETINGS, cell)
    form = ScheduleForm(request.POST if request.method == "POST" else None, cell=cell) if manage else None
    if form is not None and form.is_bound and form.is_valid():
        try:  # not submit(): the page goes on to the meeting the entry point made
            meeting = cellule.schedule_meeting(request.user, cell, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"{meeting} programmée.")
            return redirect("meetings:detail", pk=meeting.pk)
    meetings = Meeting.objects.filter(cell=cell).prefetch_related("items")
    if form is not None:  # the agenda's choices name the open cases: a read of the list they make
        shown = list(form.fields["cases"].queryset.values_list("reference", flat=True))
        audit.record("case.list", departement=cell.departement.code,
                     details={"page": "réunions", "signalements": shown})
    return render(request, "meetings/meeting_list.html", {"cell": cell, "meetings": meetings, "form": form,
                                                          "now": timezone.now()},
                  status=400 if form is not None and form.errors else 200)


def meeting_detail(request, pk: int):
    cell = cell_of(request)
    meeting = get_object_or_404(Meeting.objects.filter(cell=cell), pk=pk)
    items = agenda_items(request.user, meeting)
    closed = meeting.status == Meeting.Status.CLOSED
    # A closed meeting is read, by its coordinators too: its decisions and presences as text, not frozen fields.
    if closed or not policy.can(request.user, CelluleRight.MANAGE_MEETINGS, cell):
        record_view(meeting, cell, items)
        return render(request, "meetings/meeting_read.html", {
            "cell": cell, "meeting": meeting, "items": items, "closed": closed,
            "attendances": attendances(cell, meeting)})
    if request.method == "POST" and "cancel" in request.POST:  # done or refused, the page says it
        submit(request, BaseForm(request.POST), "Réunion", lambda data: cellule.cancel_meeting(request.user, meeting),
               done="Réunion annulée : les membres en sont avertis.", redirects=True)
        return redirect("meetings:detail", pk=meeting.pk)
    planned = meeting.status == Meeting.Status.PLANNED
    editing = request.method == "POST" and "agenda" in request.POST
    agenda_form = AgendaForm(request.POST if editing else None, meeting=meeting,
                             proposed=agenda.propose(cell, meeting.held_at, exclude=meeting)) if planned else None
    if editing and submit(request, agenda_form, "Ordre du jour",
                          lambda data: cellule.update_meeting(request.user, meeting, **data),
                          done="Réunion mise à jour : les membres ont reçu l'invitation modifiée."):
        return redirect("meetings:detail", pk=meeting.pk)
    members = list(cell.memberships.active(meeting.day).select_related("user", "institution"))
    presence = dict(meeting.attendances.values_list("membership_id", "presence"))
    closing = request.method == "POST" and "close" in request.POST
    form = MeetingForm(request.POST if request.method == "POST" and not editing else None, meeting=meeting,
                       items=items, members=members, presence=presence, closing=closing)
    if submit(request, form, "Réunion", lambda data: _record(request.user, meeting, form, closing),
              done="Réunion clôturée." if closing else "Réunion enregistrée."):
        return redirect("meetings:detail", pk=meeting.pk)
    record_view(meeting, cell, items)
    if agenda_form is not None:  # the agenda's choices name the open cases: a read of the list they make
        audit.record("case.list", departement=cell.departement.code, details={
            "page": "réunion", "signalements": [case.reference for case in agenda_form.fields["cases"].queryset]})
    errors = form.errors or (agenda_form is not None and agenda_form.errors)
    return render(request, "meetings/meeting_detail.html", {
        "meeting": meeting, "form": form, "agenda_form": agenda_form, "closed": closed, "planned": planned},
        status=400 if errors else 200)


def _record(actor: Actor, meeting: Meeting, form: MeetingForm, closing: bool) -> None:
    with transaction.atomic():  # the minutes recorded and the closing that freezes them, or neither
        cellule.record_meeting(actor, meeting, **form.record())
        if closing:
            cellule.close_meeting(actor, meeting, minutes=form.cleaned_data["minutes"])
