"""A meeting's documents: the printable minutes of the last closed meeting, and the PDF of any meeting's
agenda or minutes. Each names a case only to a reader who may open it, and each read is recorded with the
references it showed.

WeasyPrint is imported when a PDF is asked for: it needs the system's Pango (docs/releases.md), and the
rest of the product runs on a machine without it, where the export says what is missing."""

from importlib import import_module

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from cellule.models import Meeting
from cellule.views.meetings import agenda_items, attendances, cell_of, record_view

DOCUMENTS = {"ordre-du-jour": "Ordre du jour", "compte-rendu": "Compte rendu"}


def _nothing(url: str, *args, **kwargs):
    """The document is self-contained: WeasyPrint fetches no address (no file, no network) for it."""
    raise ValueError(f"Ressource externe refusée : {url}")


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
    try:
        weasyprint = import_module("weasyprint")
    except OSError:  # the system's Pango is missing: WeasyPrint cannot load it
        messages.error(request, "L'export PDF n'est pas disponible sur ce serveur : la bibliothèque système "
                                "Pango manque. Signalez-le à l'administrateur technique ; la page se lit et "
                                "s'imprime depuis le navigateur en attendant.")
        return redirect("meetings:detail", pk=meeting.pk)
    items = agenda_items(request.user, meeting)
    html = render_to_string("meetings/pdf.html", {
        "cell": cell, "meeting": meeting, "items": items, "minutes": minutes, "title": DOCUMENTS[document],
        "attendances": attendances(cell, meeting) if minutes else [], "printed_at": timezone.localtime()},
        request=request)
    pdf = weasyprint.HTML(string=html, url_fetcher=_nothing).write_pdf()
    record_view(meeting, cell, items, action="meeting.export", document=DOCUMENTS[document].lower())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="reunion-{meeting.held_at:%Y-%m-%d}-{document}.pdf"'
    return response
