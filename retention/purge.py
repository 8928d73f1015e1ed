"""What the purge erases of an expired case, and what it keeps.

Kept: the case's row without its texts (reference, département, dates, states, source, reasons,
referent), the young person's sex, situation and year of birth, the consents, the care measures,
the dates and outcomes of contacts and reviews, the mobile team's requests without their texts, the
meetings' agendas without their decisions: what the monthly reports (``reporting.figures``) and the
statistics count. Erased: every name, address, phone, e-mail and free text, the relatives, the
notes and their attachments (files too), the messages with the mobile team; and the same in the
history tables (``retention.history``). The trail is never touched: its events name cases by
reference and id, and the purge adds one event per case (``retention.erase``).
"""

from dataclasses import dataclass

from django.db import models

from cases.models import (
    Case,
    CaseNote,
    CaseTransfer,
    FamilyContact,
    FollowUpNote,
    NoteAttachment,
    Person,
    Relative,
)
from cellule.models import InterviewRequest, MeetingItem
from mobile_team.models import InterventionReport, MobileTeamRequest, RequestMessage
from retention.models import LegalHold


@dataclass(frozen=True)
class Erase:
    """The rows of ``model`` that belong to a case (``path`` leads from the model to the case's id):
    deleted, or with the ``blank`` fields emptied."""

    model: type[models.Model]
    path: str
    blank: tuple[str, ...] = ()
    delete: bool = False

    def rows(self, case_id: int) -> models.QuerySet:
        return self.model._default_manager.filter(**{self.path: case_id})


MOBILE_TEAM_TEXTS = ("motive", "preferred_dates", "preferred_place", "first_name", "commune", "summary",
                     "family_contact", "decline_reason", "scheduled_place", "intervener", "outcome_note")

# In this order: what points to a row goes before it.
LIVE = [
    Erase(Case, "pk", blank=("facts", "orientation_note", "closure_note")),
    Erase(Person, "case_id", blank=("last_name", "first_name", "commune", "address", "search_name")),
    Erase(Relative, "case_id", delete=True),
    Erase(FamilyContact, "case_id", blank=("not_attempted_reason", "note")),
    Erase(FollowUpNote, "case_id", blank=("note",)),
    Erase(NoteAttachment, "note__case_id", delete=True),
    Erase(CaseNote.named.through, "casenote__case_id", delete=True),
    Erase(CaseNote, "case_id", delete=True),
    Erase(CaseTransfer, "case_id", blank=("note", "refusal_reason")),
    Erase(InterventionReport, "request__case_id", blank=("text",)),
    Erase(RequestMessage, "request__case_id", delete=True),
    Erase(MobileTeamRequest, "case_id", blank=MOBILE_TEAM_TEXTS),
    Erase(MeetingItem, "case_id", blank=("decision",)),
    Erase(InterviewRequest, "case_id", blank=("requested_by", "outcome")),
    Erase(LegalHold, "case_id", blank=("reason", "lift_reason")),
]

# The history tables hold a copy of every version of these models' rows.
HISTORIES = [item for item in LIVE if hasattr(item.model, "history")]


def erase_live(case: Case) -> tuple[dict[str, int], list[str]]:
    """Erase the case's live rows; the number of rows erased per model, and the attachments' stored
    names, whose files the caller removes once the transaction has committed."""
    counts: dict[str, int] = {}
    files = list(NoteAttachment.objects.filter(note__case_id=case.pk).values_list("stored_name", flat=True))
    for item in LIVE:
        rows = item.rows(case.pk)
        if item.delete:
            erased = rows.delete()[0]
        else:
            erased = rows.update(**{name: "" for name in item.blank})
        if erased:
            counts[item.model._meta.label_lower] = erased
    person = Person.objects.filter(case_id=case.pk).first()
    if person is not None:  # the year of birth stays, for the statistics by age
        Person.objects.filter(pk=person.pk).update(birth_date=person.birth_date.replace(month=1, day=1))
    return counts, files
