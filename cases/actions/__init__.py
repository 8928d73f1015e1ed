"""The entry points: every change of data goes through one of these functions.

Each checks the access policy, validates, writes and records its audit event in one transaction.
They raise ``organisation.policy.AccessDenied`` (no right), ``organisation.errors.ActionRefused`` (not now, with
a French message) or ``django.core.exceptions.ValidationError`` (a field is wrong).
"""

from cases.actions.consent import rebase_measure, record_consent
from cases.actions.intake import add_signalement, intake
from cases.actions.lifecycle import (
    assign,
    close,
    complete_review,
    decline_closure,
    record_family_contact,
    reopen,
    start_care,
)
from cases.actions.merges import dismiss_duplicate, merge_people, undo_merge
from cases.actions.notes import add_note
from cases.actions.prosecutor import inform_prosecutor
from cases.actions.records import (
    add_care_measure,
    edit_care_measure,
    edit_person,
    end_care_measure,
    remove_care_measure,
    save_relative,
)
from cases.actions.referent import change_referent
from cases.actions.transfer import accept_transfer, refuse_transfer, transfer, withdraw_transfer

__all__ = [
    "accept_transfer", "add_care_measure", "add_note", "add_signalement", "assign", "change_referent", "close",
    "complete_review", "decline_closure", "dismiss_duplicate", "edit_care_measure", "edit_person", "end_care_measure",
    "inform_prosecutor", "intake", "merge_people", "rebase_measure", "record_consent", "record_family_contact",
    "refuse_transfer", "remove_care_measure", "reopen", "save_relative", "start_care", "transfer", "undo_merge",
    "withdraw_transfer",
]
