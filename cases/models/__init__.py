from cases.models.case import (
    Case,
    CaseCounter,
    ClosureReason,
    NoContactReason,
    Source,
    State,
)
from cases.models.followup import CareMeasure, FamilyContact, FollowUpNote
from cases.models.mobile_team import InterventionReport, MobileTeamRequest
from cases.models.organisation import Cell, Departement, Institution, Mandate, Membership, Role
from cases.models.people import Consent, Person, Relative, Sex, Situation

__all__ = [
    "CareMeasure", "Case", "CaseCounter", "Cell", "ClosureReason", "Consent", "Departement", "FamilyContact",
    "FollowUpNote", "Institution", "InterventionReport", "Mandate", "Membership", "MobileTeamRequest",
    "NoContactReason", "Person", "Relative", "Role", "Sex", "Situation", "Source", "State",
]
