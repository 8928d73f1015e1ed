"""The cellule's meetings: scheduling with an agenda, the record of a meeting, its printable minutes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

import audit
from cellule import actions as cellule
from cellule.forms import MeetingForm, ScheduleForm
from cellule.models import Attendance, Meeting
from cellule.rules import CelluleRight
from organisation import policy
from organisation.errors import ActionRefused
from organisation.models import Cell


def _cell(request) -> Cell:
    return policy.coordinated_cell(request.user, CelluleRight.MANAGE_MEETINGS)


def meeting_list(request):
    cell = _cell(request)
    form = ScheduleForm(request.POST if request.method == "POST" else None, cell=cell)
    if request.method == "POST" and form.is_valid():
        meeting = cellule.schedule_meeting(request.user, cell, **form.cleaned_data)
        messages.success(request, f"{meeting} programmée.")
        return redirect("meetings:detail", pk=meeting.pk)
    meetings = Meeting.objects.filter(cell=cell).prefetch_related("items")
    return render(request, "meetings/meeting_list.html", {"cell": cell, "meetings": meetings, "form": form,
                                                          "now": timezone.now()},
                  status=400 if form.errors else 200)


def meeting_detail(request, pk: int):
    cell = _cell(request)
    meeting = get_object_or_404(Meeting.objects.filter(cell=cell), pk=pk)
    items = list(meeting.items.select_related("case__person"))
    members = list(cell.memberships.active(meeting.held_at.date()).select_related("user", "institution"))
    presence = dict(meeting.attendances.values_list("membership_id", "presence"))
    closing = request.method == "POST" and "close" in request.POST
    form = MeetingForm(request.POST if request.method == "POST" else None, meeting=meeting, items=items,
                       members=members, presence=presence, closing=closing)
    if form.is_bound and form.is_valid():
        try:
            with transaction.atomic():  # the minutes recorded and the closing that freezes them, or neither
                cellule.record_meeting(request.user, meeting, **form.record())
                if closing:
                    cellule.close_meeting(request.user, meeting, minutes=form.cleaned_data["minutes"])
            messages.success(request, "Réunion close." if closing else "Réunion enregistrée.")
            return redirect("meetings:detail", pk=meeting.pk)
        except ActionRefused as refusal:
            messages.error(request, refusal.message)
        except ValidationError as error:  # on the models' fields, not the form's: shown above the form
            form.add_error(None, error.messages)
    audit.record("meeting.view", obj=meeting, departement=cell.departement.code,
                 details={"signalements": [item.case.reference for item in items]})
    return render(request, "meetings/meeting_detail.html", {
        "meeting": meeting, "form": form, "closed": meeting.status == Meeting.Status.CLOSED},
        status=400 if form.errors else 200)


def last_minutes(request):
    """The printable minutes of the last closed meeting."""
    cell = _cell(request)
    meeting = Meeting.objects.filter(cell=cell, status=Meeting.Status.CLOSED).order_by("-held_at").first()
    items = list(meeting.items.select_related("case__person")) if meeting else []
    if meeting:
        audit.record("meeting.view", obj=meeting, departement=cell.departement.code,
                     details={"page": "compte rendu", "signalements": [item.case.reference for item in items]})
    # Every member of the cellule on the day, with their presence, "non renseignée" where none was
    # recorded: nobody disappears from the minutes.
    members = list(cell.memberships.active(meeting.held_at.date()).select_related("user", "institution")
                   ) if meeting else []
    presence = dict(meeting.attendances.values_list("membership_id", "presence")) if meeting else {}
    labels = dict(Attendance.Presence.choices)
    return render(request, "meetings/minutes.html", {
        "cell": cell, "meeting": meeting, "items": items,
        "attendances": [(m, labels.get(presence.get(m.pk), "présence non renseignée").lower()) for m in members]})
