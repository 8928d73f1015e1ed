"""What the cellule's tests build: a decision as ``record_meeting`` takes it, every member's presence."""

import datetime

from cellule.actions import Decision
from cellule.models import Meeting


def decision(note: str = "", outcome: str = "", owner=None, due_on: datetime.date | None = None) -> Decision:
    return {"outcome": outcome, "owner": owner, "due_on": due_on, "note": note}


def everyone(meeting: Meeting, presence: str = "present") -> dict[int, str]:
    """Each member's presence on the meeting's day (a meeting closes once they are all recorded)."""
    return {member.pk: presence for member in meeting.cell.memberships.active(meeting.day)}
