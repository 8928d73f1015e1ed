from cases.models.case import (
    Case,
    CaseCounter,
    ClosureReason,
    NoContactReason,
    Source,
    State,
)
from cases.models.followup import CareMeasure, FamilyContact, FollowUpNote
from cases.models.merges import DistinctPeople, PersonMerge
from cases.models.notes import CaseNote, NoteAttachment, StoredFile, Visibility
from cases.models.people import Consent, Family, Person, Relative, SearchToken, Sex, Situation
from cases.models.plan import Bilan, Domain, Objective, ObjectiveResult, PlanAction, ReviewProgress
from cases.models.prosecutor import ProsecutorInformation
from cases.models.signalement import CaseSignalement
from cases.models.trail import EventText
from cases.models.transfer import CaseTransfer
from cases.models.visits import CaseVisit

__all__ = [
    "Bilan", "CareMeasure", "Case", "CaseCounter", "CaseNote", "CaseSignalement", "CaseTransfer", "CaseVisit",
    "ClosureReason", "Consent", "DistinctPeople", "Domain", "EventText", "Family", "FamilyContact", "FollowUpNote",
    "NoContactReason", "NoteAttachment", "Objective", "ObjectiveResult", "Person", "PersonMerge", "PlanAction",
    "ProsecutorInformation", "Relative", "ReviewProgress", "SearchToken", "Sex", "Situation", "Source", "State",
    "StoredFile", "Visibility",
]
