"""The cellule's entry points: its meetings and their decisions, the families' interview requests, the
support groups, its exchanges with the local prevention bodies. Each checks the policy, validates, writes and
records its audit event in one transaction."""

from cellule.actions.decisions import Decision, complete_decision
from cellule.actions.liaison import record_exchange
from cellule.actions.life import (
    create_support_group,
    record_interview_request,
    record_support_session,
    update_interview_request,
)
from cellule.actions.meetings import cancel_meeting, close_meeting, record_meeting, schedule_meeting, update_meeting

__all__ = ["Decision", "cancel_meeting", "close_meeting", "complete_decision", "create_support_group",
           "record_exchange", "record_interview_request", "record_meeting", "record_support_session",
           "schedule_meeting", "update_interview_request", "update_meeting"]
