"""Who may act on what retention keeps: the coordinators of the case's cellule place and lift a legal
hold, answer a person's request (the export of what is held about them) and rectify a field; the
purge alone erases (how long each case is kept: ``retention.periods``)."""

import enum

from cases.models import Case
from cases.rules import coordinates, transferred
from organisation.policy import Principal, rule


class RetentionRight(enum.StrEnum):
    HOLD = "legal_hold"  # place or lift a legal hold, on a case
    ANSWER = "answer_person"  # export what is held about a person, or rectify it, on a case
    ERASE = "erase_case"  # the purge's, run by the system only: no user has it


@rule(RetentionRight.HOLD, RetentionRight.ANSWER)
def _coordinators(user: Principal, right: str, case: object) -> bool:
    """The case's coordinators; for a transferred case, those of the cellule that continues it answer
    the people concerned (its export holds the file that came with it)."""
    if not isinstance(case, Case) or (right == RetentionRight.ANSWER and transferred(case)):
        return False
    return coordinates(user, case)


@rule(RetentionRight.ERASE)
def _nobody(user: Principal, right: str, case: object) -> bool:
    return False  # ``policy.SYSTEM`` alone passes: the purge command
