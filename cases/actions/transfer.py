"""The transfer of a case to another département: requested by the sending coordinators, accepted
(the case closes here, a received case opens there) or refused with a reason by the receiving ones.

On acceptance the new case gets the young person (the receiving département's record of them when it
already follows them, else a copy) and their family: the family that record belongs to, or the one a
brother or sister transferred earlier brought (``Family.copied_from``), else a copy; the relatives join
it once each (``cases.actions.intake.create``). The new case records where it came from
(``transferred_from``); the rest of the file (contacts, adhesions, measures, reviews, notes and
attachments, the timeline) is read from the new case (``Case.origins``, the case page), so the sending
département's statistics keep what was done there. The sending cellule keeps a tombstone of the closed
case (``CaseRight.VIEW_TOMBSTONE``); inspectors under mandate still read it whole.
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from cases import matching
from cases.actions.base import Check, lock, record, record_transition, require_text, runs, save_case
from cases.actions.intake import create
from cases.actions.records import end_open_measures
from cases.models import CareMeasure, Case, CaseTransfer, ClosureReason, Family, Person
from cases.notifications import notify_transfer_decided, notify_transfer_requested, notify_transfer_withdrawn
from cases.rules import CaseRight
from cases.signals import case_closing
from cases.task_kinds import ACCEPT_TRANSFER
from organisation import policy
from organisation.errors import ActionRefused
from organisation.models import Cell, Departement
from organisation.policy import Actor
from workflows import tasks


def pending(case: Case) -> bool:
    """A transfer of the case waits for the other cellule's answer: read from the case's requests where its
    page fetched them already (``prefetch_related``), else asked."""
    fetched: list[CaseTransfer] | None = getattr(case, "_prefetched_objects_cache", {}).get("transfer_requests")
    if fetched is not None:
        return any(request.status == CaseTransfer.Status.PENDING for request in fetched)
    return bool(case.transfer_requests.pending().exists())


TRANSFER = Check("Transférer à un autre département", CaseRight.TRANSFER, transition="transfer")
WITHDRAW = Check("Retirer la demande de transfert", CaseRight.TRANSFER, when=lambda case: "" if pending(case) else (
    f"aucun transfert du signalement {case.reference} n'attend de réponse"))


@runs(TRANSFER)
def transfer(actor: User, case: Case, *, destination: Departement, note: str) -> CaseTransfer:
    """Ask the destination département's cellule to take the case over; it stays open here meanwhile."""
    note = require_text(note, "note", "Indiquez le motif du transfert.")
    with transaction.atomic():
        case = lock(case)
        TRANSFER.require(actor, case)
        if destination.pk == case.departement_id:
            raise ValidationError({"destination": "Choisissez un autre département que celui du signalement."})
        if not Cell.objects.filter(departement=destination).exists():
            raise ActionRefused(f"Le département {destination} n'a pas de cellule de suivi : transfert impossible.")
        if case.transfer_requests.pending().exists():
            raise ActionRefused(f"Un transfert du signalement {case.reference} attend déjà la réponse du département "
                                "de destination.")
        request = CaseTransfer.objects.create(case=case, destination=destination, note=note, requested_by=actor)
        tasks.sync(case, actor)
        _record_both(("case.transfer_request", "case.transfer_incoming"), actor, request)
        notify_transfer_requested(request)
    return request


def accept_transfer(actor: User, request: CaseTransfer) -> Case:
    """The receiving coordinators take the case over: closed here, received there."""
    with transaction.atomic():
        case, request = _decide(actor, request)
        before = case.state
        # The care goes on in the destination département: the measures under way here are redirected.
        end_open_measures(actor, case, outcome=CareMeasure.Outcome.REDIRECTED, on=timezone.localdate())
        case_closing.send(sender=Case, actor=actor, case=case, note=f"Signalement transféré : {request.note}")
        case.transfer()
        case.closure_reason, case.closure_note, case.closed_on = (ClosureReason.TRANSFERRED, request.note,
                                                                 timezone.localdate())
        case.closure_proposed = False
        save_case(case)
        request.status, request.new_case = CaseTransfer.Status.ACCEPTED, _open_copy(case, request.destination)
        request.save()
        tasks.sync(case, actor, done=ACCEPT_TRANSFER)
        record_transition("transfer", actor, case, before, destination=request.destination.code,
                          nouveau=request.new_case.reference)
        record("case.intake", actor, request.new_case, origine=case.source, transféré_depuis=case.reference)
        notify_transfer_decided(request)
    return request.new_case


def refuse_transfer(actor: User, request: CaseTransfer, *, reason: str) -> CaseTransfer:
    """The receiving coordinators decline: the case goes on here, its coordinators are told why."""
    reason = require_text(reason, "reason", "Indiquez le motif du refus.")
    with transaction.atomic():
        case, request = _decide(actor, request)
        request.status, request.refusal_reason = CaseTransfer.Status.REFUSED, reason
        request.save()
        tasks.sync(case, actor, done=ACCEPT_TRANSFER)
        _record_both(("case.transfer_refused", "case.transfer_refuse"), actor, request)
        notify_transfer_decided(request)
    return request


@runs(WITHDRAW)
def withdraw_transfer(actor: User, case: Case) -> CaseTransfer:
    """The sending coordinators take back the transfer the destination has not answered yet."""
    with transaction.atomic():
        case = lock(case)
        WITHDRAW.require(actor, case)
        # Typed here: the case's model stands on django_fsm's untyped mixin, which mypy reads as Any.
        request: CaseTransfer = case.transfer_requests.select_for_update().pending().get()
        request.status, request.decided_by, request.decided_at = CaseTransfer.Status.WITHDRAWN, actor, timezone.now()
        request.save()
        tasks.sync(case, actor)
        _record_both(("case.transfer_withdraw", "case.transfer_withdrawn"), actor, request)
        notify_transfer_withdrawn(request)
    return request


def _decide(actor: User, request: CaseTransfer) -> tuple[Case, CaseTransfer]:
    """The case and the request, locked; the right; the request still waiting."""
    case = lock(request.case)
    request = CaseTransfer.objects.select_for_update().select_related("destination").get(pk=request.pk)
    policy.require(actor, CaseRight.DECIDE_TRANSFER, request)
    if request.status != CaseTransfer.Status.PENDING:
        raise ActionRefused(f"Ce transfert a déjà été {request.get_status_display().lower()}.")
    request.decided_by, request.decided_at = actor, timezone.now()
    return case, request


def _open_copy(case: Case, destination: Departement) -> Case:
    # Typed here: the case's model stands on django_fsm's untyped mixin, which mypy reads as Any.
    copy: Case = Case(departement=destination, source=case.source, received_on=timezone.localdate(),
                      facts=case.facts, orientation_note=case.orientation_note, transferred_from=case)
    person = _receiving_person(case, destination)
    relatives = list(case.relatives.all())
    for relative in relatives:
        relative.pk = relative.id = None
    create(copy, person, relatives)
    return copy


def _record_both(actions: tuple[str, str], actor: Actor, request: CaseTransfer, **details: object) -> None:
    """In the trail of both départements, each with its own event: the sending one's (the case's)
    and the receiving one's."""
    here, there = actions
    record(here, actor, request.case, destination=request.destination.code, **details)
    audit.record(there, obj=request.case, actor=actor, departement=request.destination.code,
                 details={"signalement": request.case.reference, "destination": request.destination.code, **details})


def _receiving_person(case: Case, destination: Departement) -> Person:
    """The receiving département's record of the young person: the one it already follows when the
    duplicate detection is certain of it (the same names and birth date: their cases there are theirs),
    else a copy of the sending side's, which keeps its own."""
    sent: Person = Person.objects.get(pk=case.person_id)
    known = next((candidate.person for candidate in matching.find_candidates(
        destination, last_name=sent.last_name, first_name=sent.first_name, birth_date=sent.birth_date)
        if candidate.certain), None)
    if known is not None:
        return known
    family = sent.family
    sent.pk = sent.id = None
    sent.departement = destination
    sent.family = (Family.objects.filter(departement=destination, copied_from=family).first()
                   or Family(departement=destination, copied_from=family))
    return sent
