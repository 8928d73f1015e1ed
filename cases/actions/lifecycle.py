"""The transitions of the case's lifecycle after intake (docs/case-lifecycle.md): one entry point each.

Each one locks the case, checks the policy and the state, validates, writes the record that goes
with the transition, moves the state, keeps the tasks in step and records the audit event, all in
one transaction (``changing``: ``transaction.atomic()``, their events written together at its end).
"""

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import task_kinds
from cases.actions import consent
from cases.actions.base import (
    Check,
    changing,
    lock,
    person,
    record,
    record_transition,
    require_cell_member,
    require_text,
    runs,
    save_case,
    saved_later,
    validate,
)
from cases.actions.care import begin, next_review
from cases.actions.plan import create_objective, write_bilan
from cases.actions.records import create_measure, end_open_measures
from cases.event_texts import keep
from cases.models import Case, ClosureReason, FamilyContact, FollowUpNote, NoContactReason, ReviewProgress, State
from cases.notifications import notify_referent
from cases.rules import CaseRight
from cases.signals import case_closing, case_reopening
from organisation.errors import ActionRefused
from organisation.policy import Actor
from workflows import tasks

IN_CARE = (State.IN_CARE, State.MOBILE_TEAM_REQUESTED)
REVIEWS_AHEAD = datetime.timedelta(days=183)  # the next review is planned at most six months ahead
CONTACT = Check("Enregistrer un contact avec la famille", CaseRight.CONTACT_FAMILY)
ASSIGN = Check("Désigner le référent", CaseRight.ASSIGN, transition="assign")
START_CARE = Check("Démarrer la prise en charge", CaseRight.START_CARE, transition="start_care")
REVIEW = Check("Faire la revue de suivi", CaseRight.REVIEW, when=lambda case: "" if case.state in IN_CARE else (
    "la revue de suivi porte sur un signalement pris en charge"))
DECLINE_CLOSURE = Check("Poursuivre le suivi", CaseRight.DECIDE_CLOSURE, when=lambda case: "" if case.closure_proposed
                        else "aucune proposition de clôture n'est en attente pour ce signalement")
CLOSE = Check("Clôturer", CaseRight.CLOSE, transition="close")
REOPEN = Check("Rouvrir", CaseRight.REOPEN, transition="reopen", when=lambda case: (
    "un signalement transféré se suit dans le département qui l'a reçu"
    if case.closure_reason == ClosureReason.TRANSFERRED else ""))


DETAILS_ON_FILE = ("Un proche a un téléphone ou un courriel : la famille a des coordonnées. Contactez-la, ou "
                   "donnez un autre motif.")


def has_contact_details(case: Case) -> bool:
    """A relative of the case's family has a phone or an e-mail on file."""
    return case.relatives.exclude(phone="", email="").exists()


@runs(CONTACT)
def record_family_contact(actor: User, case: Case, *, on: datetime.date, channel: str, outcome: str,
                          not_attempted_reason: str = "", note: str = "") -> FamilyContact:
    """A contact with the family; reached from ``received``, the case moves to ``family_contacted``.
    Failed attempts are recorded and keep the state."""
    with changing():
        case = lock(case)
        CONTACT.require(actor, case)
        contact = FamilyContact(case=case, on=on, channel=channel, by=actor, outcome=outcome,
                                not_attempted_reason=not_attempted_reason, note=note)
        validate(contact)
        if on and on > timezone.localdate():
            raise ValidationError({"on": "La date du contact ne peut pas être dans le futur."})
        if (outcome == FamilyContact.Outcome.NOT_ATTEMPTED and not_attempted_reason == NoContactReason.NO_DETAILS.label
                and has_contact_details(case)):
            raise ValidationError({"not_attempted_reason": DETAILS_ON_FILE})
        contact.save()
        before = case.state
        if outcome == FamilyContact.Outcome.REACHED and case.state == State.RECEIVED:
            case.contact_family()
            save_case(case)
            tasks.sync(case, actor, done=task_kinds.CONTACT_FAMILY)
            record_transition("contact_family", actor, case, before, moyen=channel)
        else:
            record("case.family_contact", actor, case, résultat=outcome, moyen=channel)
    return contact


@runs(ASSIGN)
def assign(actor: User, case: Case, *, referent: User | None, no_contact_reason: str = "") -> Case:
    """Name the referent, a member of the cellule; from ``received``, say why the family was not contacted."""
    with changing():
        case = lock(case)
        ASSIGN.require(actor, case)
        require_cell_member(case, referent)
        if case.state == State.RECEIVED and not no_contact_reason:
            raise ValidationError({"no_contact_reason": "Indiquez pourquoi la famille n'a pas été contactée."})
        if (case.state == State.RECEIVED and no_contact_reason == NoContactReason.NO_DETAILS
                and has_contact_details(case)):
            raise ValidationError({"no_contact_reason": DETAILS_ON_FILE})
        before, previous = case.state, case.referent
        case.assign()
        case.referent = referent
        case.no_contact_reason = no_contact_reason if before == State.RECEIVED else ""
        save_case(case)
        tasks.sync(case, actor, done=task_kinds.NAME_REFERENT)
        record_transition("assign", actor, case, before,
                          référent={"avant": person(previous), "après": person(referent)},
                          motif=case.no_contact_reason)
        if referent is not None and referent.pk != actor.pk:  # not one's own naming (a coordinator's)
            notify_referent(case, referent)
    return case


@runs(START_CARE)
def start_care(actor: User, case: Case, *, measure: dict[str, Any] | None = None,
               objective: dict[str, str] | None = None) -> Case:
    """The referent starts the care: a care measure under way and a plan with an objective, each given
    here or set up before (a coordinator's orientation to a partner, an objective added to the plan)."""
    with changing():
        case = lock(case, **consent.basis())  # what the measure's adhesion rests on, with the case
        START_CARE.require(actor, case)
        saved_later(case)  # by begin, after the measure's and the objective's events
        new = create_measure(actor, case, measure) if measure else None
        first = create_objective(actor, case, **objective) if objective else None
        missing = [what for what, there in (
            ("une prise en charge en cours", new is not None and new.ends_on is None
             or case.care_measures.filter(ends_on__isnull=True).exists()),
            ("un objectif au plan d'accompagnement", first is not None or case.objectives.exists())) if not there]
        if missing:
            raise ActionRefused(f"Pour démarrer la prise en charge, il manque {' et '.join(missing)}.")
        begin(actor, case)
    return case


@runs(REVIEW)
def complete_review(actor: User, case: Case, *, note: str, propose_closure: bool = False,
                    next_review_on: datetime.date | None = None,
                    progress: dict[int, str] | None = None) -> FollowUpNote:
    """The referent's periodic review: where each objective of the plan stands (``progress``, by
    objective id), and the date of the next review (by default the cellule's rhythm: ``next_review``),
    when the next review task falls due; a proposal to close gives the coordinators a decision task."""
    with changing():
        case = lock(case)
        REVIEW.require(actor, case)
        today = timezone.localdate()
        review = FollowUpNote(case=case, on=today, by=actor, note=note, propose_closure=propose_closure)
        validate(review)
        next_review_on = next_review_on or next_review(case, today)
        if not today < next_review_on <= today + REVIEWS_AHEAD:
            raise ValidationError({"next_review_on": "La prochaine revue se prévoit après aujourd'hui et au plus six "
                                                     "mois à l'avance."})
        objectives = set(case.objectives.values_list("pk", flat=True))
        progress = progress or {}
        if set(progress) != objectives or not set(progress.values()) <= set(ReviewProgress.Progress.values):
            raise ValidationError({"progress": "Indiquez où en est chaque objectif du plan."})
        review.save()
        ReviewProgress.objects.bulk_create(ReviewProgress(review=review, objective_id=objective, progress=where)
                                           for objective, where in sorted(progress.items()))
        case.closure_proposed = case.closure_proposed or propose_closure
        case.next_review_on = next_review_on
        save_case(case)
        tasks.sync(case, actor, done=task_kinds.REVIEW)
        record("case.review", actor, case, clôture_proposée=propose_closure, prochaine_revue=next_review_on.isoformat(),
               **({"avancement": {str(key): value for key, value in sorted(progress.items())}} if progress else {}))
    return review


@runs(DECLINE_CLOSURE)
def decline_closure(actor: User, case: Case, *, note: str) -> Case:
    """The coordinators decide to go on with the care the referent proposed to close."""
    note = require_text(note, "note", "Indiquez pourquoi le suivi continue.")
    with changing():
        case = lock(case)
        DECLINE_CLOSURE.require(actor, case)
        case.closure_proposed = False
        save_case(case)
        tasks.sync(case, actor, done=task_kinds.DECIDE_CLOSURE)
        record("case.closure_declined", actor, case, note=keep(case, note))
    return case


@runs(CLOSE)
def close(actor: User, case: Case, *, reason: str, note: str, measures_outcome: str = "",
          bilan: dict[str, Any] | None = None) -> Case:
    """Close the case; its care measures still under way end on the closure date with
    ``measures_outcome``, required when there are some: none is left open without a word. A case in
    care ends its care: the end-of-support ``bilan`` is required then (``cases.actions.plan.write_bilan``),
    and not taken otherwise."""
    note = require_text(note, "note", "Une note de clôture est obligatoire.")
    if reason not in ClosureReason.values or reason == ClosureReason.TRANSFERRED:
        raise ValidationError({"reason": "Choisissez un motif de clôture (le transfert a sa propre action)."})
    with changing():
        case = lock(case)
        CLOSE.require(actor, case)
        before, today = case.state, timezone.localdate()
        end_open_measures(actor, case, outcome=measures_outcome, on=today)
        if before in IN_CARE:
            write_bilan(actor, case, bilan, today)
        elif bilan:
            raise ValidationError({"exit_situation": "Le bilan de fin d'accompagnement se fait à la clôture d'un "
                                                     "signalement pris en charge."})
        case_closing.send(sender=Case, actor=actor, case=case, note=f"Signalement clôturé : {note}")
        case.close()
        case.closure_reason, case.closure_note, case.closed_on = reason, note, today
        case.closure_proposed = False
        save_case(case)
        tasks.sync(case, actor, done=task_kinds.DECIDE_CLOSURE)
        record_transition("close", actor, case, before, motif=reason)  # the note stays on the case
    return case


@runs(REOPEN)
def reopen(actor: Actor, case: Case, *, reason: str) -> Case:
    reason = require_text(reason, "reason", "Indiquez le motif de la réouverture.")
    with changing():
        case = lock(case)
        REOPEN.require(actor, case)
        case_reopening.send(sender=Case, actor=actor, case=case)
        before = case.state
        case.reopen()
        case.closure_reason, case.closure_note, case.closed_on = "", "", None
        save_case(case)
        tasks.sync(case, actor)
        record_transition("reopen", actor, case, before, motif=keep(case, reason))
    return case
