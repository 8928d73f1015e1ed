from cases.models.case import (
    Case,
    CaseCounter,
    ClosureReason,
    NoContactReason,
    Source,
    State,
)
from cases.models.followup import CareMeasure, FamilyContact, FollowUpNote
from cases.models.people import Consent, Person, Relative, Sex, Situation

__all__ = [
    "CareMeasure", "Case", "CaseCounter", "ClosureReason", "Consent", "FamilyContact", "FollowUpNote",
    "NoContactReason", "Person", "Relative", "Sex", "Situation", "Source", "State",
]
