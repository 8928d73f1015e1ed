"""A case's file as a PDF, for a transfer or for the parquet: the page where the coordinator ticks the
parts (``forms.SECTIONS``), and the file, as the exporter may read it, each page marked with who exported
it and when; the export is a read of the case, recorded with the file's SHA-256 so that a copy shown
later can be matched to it.

The PDF is made by ``ui.pdf``, which refuses in French on a machine without Pango (``Unavailable``)."""

import hashlib
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

import audit
from cases.actions.base import Check
from cases.forms import SECTIONS, ExportForm
from cases.models import Case, ObjectiveResult, PlanAction
from cases.rules import CaseRight
from cases.views.case_page import record_view
from cases.views.cases import case_events
from cases.views.notes import visible_notes
from organisation import policy
from organisation.errors import ActionRefused
from organisation.policy import Actor
from ui.errors import Refusal
from ui.pdf import render_pdf

# Any state, a closed case too: the parquet may ask about a case the cellule has closed.
EXPORT = Check("Exporter le dossier en PDF", CaseRight.EXPORT_CASE, closed=True)


@dataclass(frozen=True)
class Document:
    content: bytes
    filename: str
    sha256: str


def _context(actor: Actor, case: Case, sections: list[str]) -> dict:
    """What each chosen section shows, read as the exporter may (notes: ``cases.rules.sees_note``)."""
    chosen = set(sections)
    context: dict = {"case": case, "person": case.person, "sections": chosen,
                     "titles": {key: SECTIONS[key] for key in sections}}
    if "famille" in chosen:
        context["relatives"] = case.relatives.all()
        context["contacts"] = case.family_contacts.select_related("by")
    if "accompagnement" in chosen:
        context["measures"] = case.care_measures.select_related("institution")
        context["objectives"] = case.objectives.prefetch_related(
            Prefetch("actions", queryset=PlanAction.objects.select_related("owner", "institution")))
        context["bilans"] = case.bilans.prefetch_related(
            Prefetch("results", queryset=ObjectiveResult.objects.select_related("objective")))
    if "notes" in chosen:
        context["notes"] = visible_notes(actor, case)
    if "historique" in chosen:
        context["timeline"] = case_events(case)
    return context


def export_pdf(actor: User, case: Case, *, sections: list[str]) -> Document:
    """The case's file as a PDF of ``sections`` (keys of ``SECTIONS``), recorded as ``case.export_pdf``."""
    EXPORT.require(actor, case)
    if not sections or any(key not in SECTIONS for key in sections):
        raise ActionRefused("Choisissez au moins une partie du dossier à exporter.")
    sections = [key for key in SECTIONS if key in sections]  # in the file's order
    exported_at = timezone.localtime()
    html = render_to_string("cases/case_pdf.html", {
        **_context(actor, case, sections), "exporter": actor.get_full_name() or actor.get_username(),
        "exported_at": exported_at})
    content = render_pdf(html)
    digest = hashlib.sha256(content).hexdigest()
    audit.record("case.export_pdf", obj=case, departement=case.departement.code, details={
        "signalement": case.reference, "parties": [SECTIONS[key] for key in sections], "sha256": digest})
    return Document(content, f"dossier-{case.reference}-{exported_at:%Y-%m-%d}.pdf", digest)


def case_export(request, pk: int) -> HttpResponse:
    """The parts to tick (a read of the case: it names the young person), then the file."""
    case = policy.get_or_404(request.user, CaseRight.VIEW_CASE,
                             Case.objects.select_related("departement", "person", "referent"), pk=pk)
    EXPORT.require(request.user, case)
    form = ExportForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            document = export_pdf(request.user, case, sections=form.cleaned_data["sections"])
        except Refusal as refusal:  # refused, or no PDF on this server (ui.pdf.Unavailable)
            form.add_error(None, refusal.message)
        else:
            response = HttpResponse(document.content, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
            return response
    else:
        record_view(request, case, page="export-pdf")  # the page names the young person
    return render(request, "cases/case_export.html", {"case": case, "form": form, "title": EXPORT.title},
                  status=400 if form.errors else 200)
