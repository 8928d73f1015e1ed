"""A note's attachment, served only to whoever may open the case and see the note, with the motive
the case page asks; each read recorded with it."""

from django.db.models import prefetch_related_objects
from django.http import Http404
from django.views.decorators.http import require_GET

import audit
from cases import attachments as files
from cases.models import Case, CaseNote, NoteAttachment
from cases.rules import CaseRight, sees_note
from cases.views.reading import ask_motive, motive_for
from organisation import policy
from organisation.policy import Actor
from ui import statements


def visible_notes(user: Actor, case: Case, *, partner: bool = False) -> list[CaseNote]:
    """The case's notes the user sees, with their attachments (the caller checked ``VIEW_CASE``, or
    ``VIEW_REFERRAL`` for a ``partner``)."""
    notes = statements.of("notes of a case", lambda pk: CaseNote.objects.filter(case_id=pk).select_related("author"),
                          case.pk, known={"case": case})
    prefetch_related_objects(notes, "named", "attachments")
    return [note for note in notes if sees_note(user, note, case, partner=partner)]


@require_GET
def attachment(request, pk: int, attachment: int):
    case = policy.get_or_404(request.user, (CaseRight.VIEW_CASE, CaseRight.VIEW_REFERRAL),
                             Case.objects.select_related("departement"), pk=pk)
    partner = not policy.can(request.user, CaseRight.VIEW_CASE, case)
    try:
        file = NoteAttachment.objects.select_related("note").prefetch_related("note__named").get(
            pk=attachment, note__case__in=[case, *case.origins()])  # the file that came with a transfer too
    except NoteAttachment.DoesNotExist:
        raise Http404("Pièce jointe introuvable.") from None
    if not sees_note(request.user, file.note, case, partner=partner):
        raise Http404("Pièce jointe introuvable.")  # as another département's objects: not even its existence
    motive = {} if partner else motive_for(request, case)  # the case page's rule, motive included
    if motive is None:
        return ask_motive(request, case)
    return files.response(file, lambda: audit.record(
        "case.attachment_read", obj=case, departement=case.departement.code,
        details={"signalement": case.reference, "pièce": file.pk, **motive}))
