"""Rights on a case: the transitions of the lifecycle (docs/case-lifecycle.md) carry these names, and
the consultation motive.

Need-to-know, stated once (``VIEW_CASE`` and ``needs_motive``; ``Case.objects.visible_to`` and
``open_without_motive`` are the same rule as queries). Opened without a motive, as one's own work:
by the coordinators of the case's cellule, its référent, whoever holds one of its open tasks, a
partner (their part only, below), an inspector whose mandate covers it (the mandate is the motive).
Opened only with a motive, given once per session and recorded with every read (the page, its
files, the mobile team's thread): by a member of the cellule who once held one of its tasks and
holds none now, the past holder, who may need to look back at what they did. Nobody else opens
it. A membership opens nothing from its end date (``Membership.objects.active``), past tasks
included. Every view that shows or serves any part of the case asks this same rule
(``cases.views.cases.motive_for``).

A coordinator acts on every case of the cellule they coordinate; a member works the cases they
are the referent of or hold a task of; an inspector reads the cases of their mandate. A member whose
institution runs a care measure under way on the case (the orientation to a partner, on the family's
adhesion or why none is needed) sees the partner's part of it (``VIEW_REFERRAL``): the young person's
identity, the relatives and their contact details, the measures of their institution and the notes
shared with them; never the facts reported nor the cellule's other notes; until the measure ends.
A case transferred to another département went with its file: the receiving cellule reads it from
the case opened there; the sending one keeps a tombstone (``VIEW_TOMBSTONE``); inspectors still read it.
"""

import enum
from collections.abc import Iterable

from django.db import models

from cases.models import (
    CareMeasure,
    Case,
    CaseNote,
    CaseTransfer,
    ClosureReason,
    Family,
    Person,
    PersonMerge,
    Visibility,
)
from cases.task_kinds import CONTACT_FAMILY
from organisation.models import Cell, Role
from organisation.policy import Actor, Principal, can, rule, scope, user_id
from ui import statements
from workflows.rules import held_task, holds_task


class CaseRight(enum.StrEnum):
    INTAKE = "intake"  # on a cellule
    VIEW_CASE = "view_case"
    # Named apart from the transitions they allow (the state machine's ``assign``, ``close``…): a right
    # says who, a transition what the state allows (``cases.actions.base.Check`` asks both).
    CONTACT_FAMILY = "record_family_contact"
    ASSIGN = "name_referent"
    START_CARE = "start_the_care"
    CLOSE = "close_case"
    REOPEN = "reopen_case"
    TRANSFER = "transfer_case"
    EDIT_CASE = "edit_case"
    MANAGE_CARE = "manage_care"
    REVIEW = "review"
    DECIDE_CLOSURE = "decide_closure"
    CHANGE_REFERENT = "change_referent"
    DECIDE_TRANSFER = "decide_transfer"  # on a transfer, by the receiving coordinators
    VIEW_REFERRAL = "view_referral"  # the partner's part of the case
    PARTNER_NOTE = "partner_note"  # a note of the partner to the referent and coordinators, or named members
    PARTNER_PLAN = "partner_plan"  # the partner updates the plan's actions their measure carries
    VIEW_TOMBSTONE = "view_tombstone"  # what the sending cellule keeps of a case it transferred
    VIEW_PERSON = "view_person"  # a young person's page: who reads one of their cases reads it
    VIEW_FAMILY = "view_family"  # a family's page: who reads a case of one of its young people reads it
    MERGE_PEOPLE = "merge_people"  # two records of one young person: the coordinators of their département
    EXPORT_CASE = "export_case"  # the file as a PDF, for a transfer or the parquet (``cases.views.export``)
    INFORM_PROSECUTOR = "inform_prosecutor"  # the procureur informed of the case (``cases.actions.prosecutor``)


# Case rights for the coordinators of the case's cellule only.
COORDINATORS_ONLY = {CaseRight.ASSIGN, CaseRight.CLOSE, CaseRight.REOPEN, CaseRight.TRANSFER, CaseRight.DECIDE_CLOSURE,
                     CaseRight.CHANGE_REFERENT, CaseRight.EXPORT_CASE, CaseRight.INFORM_PROSECUTOR}


def coordinates(user: Principal, case: Case) -> bool:
    """The user coordinates the cellule of the case's département."""
    return case.departement_id in scope(user).coordinated_departement_ids


def is_referent(user: Principal, case: Case) -> bool:
    return case.referent_id == user_id(user) and case.departement_id in scope(user).cell_departement_ids


def partner_institutions(user: Principal, case: Case) -> set[int]:
    """The institutions the user represents as a member of the cellule of the case's département."""
    return {m.institution_id for m in scope(user).memberships
            if m.role == Role.MEMBER and m.cell is not None and m.cell.departement_id == case.departement_id}


def partner_measures(user: Principal, case: Case) -> models.QuerySet[CareMeasure]:
    """The care measures that make the user a partner of the case (``is_partner``): their institution's,
    under way, oriented on an adhesion still given or on why none is needed."""
    return case.care_measures.filter(institution_id__in=partner_institutions(user, case), ends_on__isnull=True,
                                     consent_lost_on__isnull=True).exclude(adhesion="")


def partnered_cases(user: Actor, cases: Iterable[Case]) -> frozenset[int]:
    """Which of ``cases`` the user is a partner on (``is_partner`` for a list), in one query, none for
    who is no member of a cellule; its statement kept per person, scope and cases (``ui.statements``)."""
    if not any(m.role == Role.MEMBER for m in scope(user).memberships):
        return frozenset()
    ids = tuple(c.pk for c in cases)
    return frozenset(pk for pk, in statements.values(
        ("partnered cases", user_id(user), scope(user).key, ids),
        lambda: Case.objects.filter(Case.objects.partnered(user), pk__in=ids).values_list("pk")))


def is_partner(user: Principal, case: Case) -> bool:
    """The user's institution runs a care measure under way on the case, oriented on an adhesion still
    given (or on why none is needed): measures recorded before orientations were (no adhesion), and those
    whose adhesion was withdrawn (``cases.actions.consent``), open nothing."""
    return bool(partner_institutions(user, case)) and partner_measures(user, case).exists()


@rule(CaseRight.INTAKE)
def _intake(user: Principal, right: str, cell: object) -> bool:
    return isinstance(cell, Cell) and cell.pk in scope(user).coordinated_cell_ids


@rule(CaseRight.DECIDE_TRANSFER)
def _decide_transfer(user: Principal, right: str, request: object) -> bool:
    return isinstance(request, CaseTransfer) and request.destination_id in scope(user).coordinated_departement_ids


@rule(CaseRight.VIEW_REFERRAL, CaseRight.PARTNER_NOTE, CaseRight.PARTNER_PLAN)
def _partner(user: Principal, right: str, case: object) -> bool:
    return isinstance(case, Case) and is_partner(user, case)


@rule(CaseRight.VIEW_TOMBSTONE)
def _tombstone(user: Principal, right: str, case: object) -> bool:
    return isinstance(case, Case) and transferred(case) and (coordinates(user, case) or is_referent(user, case))


def transferred(case: Case) -> bool:
    return case.closure_reason == ClosureReason.TRANSFERRED


@rule(CaseRight.VIEW_PERSON)
def _person(user: Principal, right: str, person: object) -> bool:
    """A young person's page shows what their cases show (the page lists those the user reads)."""
    return isinstance(person, Person) and any(can(user, CaseRight.VIEW_CASE, case) for case in person.cases.all())


@rule(CaseRight.VIEW_FAMILY)
def _family(user: Principal, right: str, family: object) -> bool:
    """A family's page shows what its young people's cases show (the page lists those the user reads)."""
    return isinstance(family, Family) and any(can(user, CaseRight.VIEW_CASE, case)
                                              for case in Case.objects.filter(person__family=family))


@rule(CaseRight.MERGE_PEOPLE)
def _merge(user: Principal, right: str, target: object) -> bool:
    """The duplicate records of the département's young people are its coordinators' to merge or keep
    apart, and their merges to undo."""
    person = target.kept if isinstance(target, PersonMerge) else target
    return isinstance(person, Person) and person.departement_id in scope(user).coordinated_departement_ids


@rule(*(set(CaseRight) - {CaseRight.INTAKE, CaseRight.DECIDE_TRANSFER, CaseRight.VIEW_REFERRAL,
                          CaseRight.PARTNER_NOTE, CaseRight.PARTNER_PLAN, CaseRight.VIEW_TOMBSTONE,
                          CaseRight.VIEW_PERSON, CaseRight.VIEW_FAMILY, CaseRight.MERGE_PEOPLE}))
def _on_case(user: Principal, right: str, case: object) -> bool:
    if not isinstance(case, Case):
        return False
    if right in COORDINATORS_ONLY:
        return coordinates(user, case)
    s = scope(user)
    match right:
        case CaseRight.VIEW_CASE if transferred(case):  # the file went with it
            return any(case.reviewed_by(mandate) for mandate in s.mandates)
        case CaseRight.VIEW_CASE:
            return (coordinates(user, case) or is_referent(user, case)
                    or any(case.reviewed_by(mandate) for mandate in s.mandates)
                    or (case.departement_id in s.cell_departement_ids and held_task(user, case)))
        case CaseRight.CONTACT_FAMILY:  # at any open state, by the referent too
            return (coordinates(user, case) or is_referent(user, case)
                    or holds_task(user, case, CONTACT_FAMILY))
        case CaseRight.START_CARE | CaseRight.REVIEW:
            return is_referent(user, case)
    return coordinates(user, case) or is_referent(user, case)  # EDIT_CASE, MANAGE_CARE


def sees_note(user: Actor, note: CaseNote, case: Case, *, partner: bool = False) -> bool:
    """Whether a reader of the case (``VIEW_CASE``, or ``VIEW_REFERRAL`` with ``partner``: checked by
    the caller) sees this note: its author, the coordinators, the référent and the inspectors
    reviewing the case see every note; the others of the cellule the "cellule" notes, and those they
    are named on; a partner only the latter."""
    if note.author_id == user_id(user) or coordinates(user, case) or is_referent(user, case):
        return True
    if any(case.reviewed_by(mandate) for mandate in scope(user).mandates):
        return True
    if note.visibility == Visibility.CELLULE and not partner:
        return True
    return note.visibility == Visibility.NAMED and any(u.pk == user_id(user) for u in note.named.all())


def needs_motive(user: Actor, case: Case, held: frozenset[int] | None = None) -> bool:
    """Opening a case outside one's own work asks why (the "motif" of French Interior files; the
    rule is the module's docstring): not its referent, not holding one of its open tasks, not a
    coordinator of its cellule, not its partner; a past holder of its tasks gives one.
    Inspectors give theirs automatically: the reference of their mandate. ``held``: the cases of a
    list whose open tasks the user holds (``workflows.rules.cases_held``) or is a partner on
    (``Case.objects.partnered``), to ask once for them all. A partner's involvement is the orientation."""
    s = scope(user)
    if case.departement_id in s.coordinated_departement_ids or case.referent_id == user_id(user):
        return False
    if any(case.reviewed_by(mandate) for mandate in s.mandates):
        return False
    return case.pk not in held if held is not None else not (holds_task(user, case) or is_partner(user, case))


def automatic_motive(user: Actor, case: Case) -> str:
    """The motive recorded without asking: an inspector's mandate covering the case."""
    for mandate in scope(user).mandates:
        if case.reviewed_by(mandate):
            return f"Mandat d'inspection {mandate.reference}"
    return ""
