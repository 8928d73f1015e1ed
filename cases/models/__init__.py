from cases.models.case import (
    Case,
    CaseCounter,
    ClosureReason,
    NoContactReason,
    Source,
    State,
)
from cases.models.cellule import (
    Attendance,
    InterviewRequest,
    Meeting,
    MeetingItem,
    MonthlyReport,
    SupportGroup,
    SupportGroupSession,
)
from cases.models.followup import CareMeasure, FamilyContact, FollowUpNote
from cases.models.mobile_team import InterventionReport, MobileTeamRequest
from cases.models.organisation import Cell, Departement, Institution, Mandate, Membership, Role
from cases.models.people import Consent, Person, Relative, Sex, Situation

__all__ = [
    "Attendance", "CareMeasure", "Case", "CaseCounter", "Cell", "ClosureReason", "Consent", "Departement",
    "FamilyContact", "FollowUpNote", "Institution", "InterventionReport", "InterviewRequest", "Mandate", "Meeting",
    "MeetingItem", "Membership", "MobileTeamRequest", "MonthlyReport", "NoContactReason", "Person", "Relative",
    "Role", "Sex", "Situation", "Source", "State", "SupportGroup", "SupportGroupSession",
]
