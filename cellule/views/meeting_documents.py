"""A meeting's documents: the printable minutes of the last closed meeting, and the PDF of any meeting's
agenda or minutes. Each names a case only to a reader who may open it, and each read is recorded with the
references it showed (the PDF: ``ui.pdf``, which says what is missing on a machine without Pango)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from cellule.models import Meeting
from cellule.views.meetings import agenda_items, attendances, cell_of, record_view
from ui.pdf import Unavailable, render_pdf

DOCUMENTS = {"ordre-du-jour": "Ordre du jour", "compte-rendu": "Compte rendu"}


def last_minutes(request):
    """The printable minutes of the last closed meeting."""
    cell = cell_of(request)
    meeting = Meeting.objects.filter(cell=cell, status=Meeting.Status.CLOSED).order_by("-held_at").first()
    items = agenda_items(request.user, meeting) if meeting else []
    if meeting:
        record_view(meeting, cell, items, page="compte rendu")
    return render(request, "meetings/minutes.html", {
        "cell": cell, "meeting": meeting, "items": items,
        "attendances": attendances(cell, meeting) if meeting else []})


@require_GET
def meeting_pdf(request, pk: int, document: str):
    """The agenda (any meeting not cancelled) or the minutes (a closed meeting) as a PDF."""
    cell = cell_of(request)
    meeting = get_object_or_404(Meeting.objects.filter(cell=cell).exclude(status=Meeting.Status.CANCELLED), pk=pk)
    minutes = document == "compte-rendu"
    if document not in DOCUMENTS or (minutes and meeting.status != Meeting.Status.CLOSED):
        raise Http404
    items = agenda_items(request.user, meeting)
    html = render_to_string("meetings/pdf.html", {
        "cell": cell, "meeting": meeting, "items": items, "minutes": minutes, "title": DOCUMENTS[document],
        "attendances": attendances(cell, meeting) if minutes else [], "printed_at": timezone.localtime()},
        request=request)
    try:
        pdf = render_pdf(html)
    except Unavailable as refusal:
        messages.error(request, refusal.message)
        return redirect("meetings:detail", pk=meeting.pk)
    record_view(meeting, cell, items, action="meeting.export", document=DOCUMENTS[document].lower())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="reunion-{meeting.day:%Y-%m-%d}-{document}.pdf"'
    return response
