"""Requests to the national mobile intervention team, from the cellule's side and from the team's.

Lock order, as everywhere: the case, then the request, then (in ``tasks.sync``) the process.
Declining, completing or withdrawing a request brings the case back to care ("mobile team done")
with the team's answer attached to it.
"""

import datetime
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

import audit
from cases import attachments as files
from cases import identifying
from cases.actions import consent
from cases.actions.base import Check, lock, record, record_transition, require_text, runs, touch, validate
from cases.models import Case, Consent
from mobile_team.models import InterventionReport, MessageAttachment, MobileTeamRequest, RequestMessage
from mobile_team.notifications import (
    notify_coordinators_of_answer,
    notify_of_message,
    notify_team_of_request,
    notify_team_of_withdrawal,
)
from mobile_team.rules import RequestRight, is_team
from mobile_team.task_kinds import HANDLE_REQUEST, READ_TEAM_ANSWER, REPORT_INTERVENTION, SCHEDULE_INTERVENTION
from organisation import policy
from organisation.errors import ActionRefused
from organisation.models import Membership
from organisation.policy import Actor
from ui import statements
from workflows import tasks

Status = MobileTeamRequest.Status
Outcome = MobileTeamRequest.Outcome


CALL = Check("Solliciter l'équipe mobile", RequestRight.REQUEST_MOBILE_TEAM, transition="request_mobile_team")


def requests_of(case: Case) -> list[MobileTeamRequest]:
    """The case's requests, oldest first, with whom the team calls, read once per case object
    (``Case.read_once``): the case page's actions, its section and the task pages' summary all ask."""
    return case.read_once("mobile_team_requests", lambda: statements.of("mobile team requests of a case", lambda pk: (
        MobileTeamRequest.objects.filter(case_id=pk).select_related("contact")), case.pk, known={"case": case}))


ACKNOWLEDGE = Check("J'ai pris connaissance de la réponse de l'équipe mobile", RequestRight.MANAGE_MOBILE_REQUEST,
                    closed=True, when=lambda case: "" if any(request.answer_unread for request in requests_of(case))
                    else "aucune réponse de l'équipe mobile n'attend d'être lue")
WITHDRAW = Check("Retirer la demande à l'équipe mobile", RequestRight.MANAGE_MOBILE_REQUEST,
                 transition="mobile_team_done")


@runs(CALL)
def request_mobile_team(actor: User, case: Case, *, motive: str, expected: str, urgency: str, summary: str,
                        preferred_dates: str = "", preferred_place: str = "", contact: User | None = None,
                        family_agrees: bool = False, family_contact: str = "") -> MobileTeamRequest:
    """The préfet calls the team: what it needs to know, written for it, and nothing else of the case.
    ``contact`` is whom the team calls at the préfecture (the requester by default); how to reach the
    family is passed on only if the family agreed."""
    with transaction.atomic():
        case = lock(case)
        CALL.require(actor, case)
        _name_nothing_on_file(case, {"motive": motive, "summary": summary, "preferred_dates": preferred_dates,
                                     "preferred_place": preferred_place}, family_contact if family_agrees else "")
        contact = contact or actor
        family = consent.current(case, Consent.Party.FAMILY)
        if family_agrees and family is not None and family.status != Consent.Status.GIVEN:
            raise ValidationError({"family_agrees": (
                f"L'adhésion de la famille est enregistrée « {family.get_status_display().lower()} » le "
                f"{family.on:%d/%m/%Y} : ses coordonnées ne peuvent pas être transmises à l'équipe mobile.")})
        if not Membership.objects.at_prefecture(case.departement.cell).filter(user=contact).exists():
            raise ValidationError({"contact": "Le contact de l'équipe est une personne de la préfecture qui siège à "
                                              "la cellule du signalement."})
        person = case.person
        request: MobileTeamRequest = MobileTeamRequest(  # its untyped base (django_fsm) hides the type
            case=case, departement=case.departement.code, motive=motive, expected=expected, urgency=urgency,
            preferred_dates=preferred_dates, preferred_place=preferred_place, first_name=person.first_name,
            age=person.age(timezone.localdate()), commune=person.commune, summary=summary, requested_by=actor,
            contact=contact, family_agrees=family_agrees, family_contact=(family_contact or "").strip(),
        )
        validate(request)
        request.save()
        before = case.state
        case.request_mobile_team()
        case.save()
        tasks.sync(case, actor)
        record_transition("request_mobile_team", actor, case, before, demande=request.pk, urgence=urgency)
        notify_team_of_request(request)
    return request


def _name_nothing_on_file(case: Case, texts: dict[str, str], given: str) -> None:
    """The texts the team reads name no family name and no address of the case's family: the team is given
    the young person's first name, age and commune, and how to reach the family only if it agreed
    (``given``, whose details are not counted again). Refused rather than confirmed: a minor's name or
    address sent to an outside provider cannot be taken back, and a box ticked out of habit would send it."""
    on_file = identifying.OnFile(case)
    errors = {name: f"Ce texte contient {identifying.describe(found)} : l'équipe mobile ne reçoit ni nom de famille "
                    "ni adresse du dossier. Retirez-les ; si la famille accepte d'être contactée par l'équipe, "
                    "ses coordonnées vont dans « Comment joindre la famille »."
              for name, text in texts.items() if (found := on_file.found(text, allowed=given))}
    if errors:
        raise ValidationError(errors)


def _locked(request: MobileTeamRequest) -> tuple[Case, MobileTeamRequest]:
    case = lock(request.case)
    return case, MobileTeamRequest.objects.select_for_update().get(pk=request.pk)


def _check_status(request: MobileTeamRequest, name: str) -> None:
    from django_fsm import can_proceed

    if not can_proceed(getattr(request, name)):
        raise ActionRefused(f"Action impossible : la demande est à l'état « {request.get_status_display()} ».")


def _record(action: str, actor: Actor, request: MobileTeamRequest, **details: object) -> None:
    touch(request.case)  # the case's page shows the request: it changed for whoever opened it before
    audit.record(action, obj=request, actor=actor, departement=request.departement,
                 details={"signalement": request.case.reference, "demande": request.pk, **details})


def _back_to_care(actor: Actor, case: Case, request: MobileTeamRequest, outcome: str, note: str,
                  done: str | None = None) -> None:
    request.outcome, request.outcome_note, request.closed_at = outcome, note, timezone.now()
    request.save()
    before = case.state
    case.mobile_team_done()
    case.save()
    tasks.sync(case, actor, done=done)
    record_transition("mobile_team_done", actor, case, before, demande=request.pk, issue=outcome)


def accept(actor: User, request: MobileTeamRequest) -> MobileTeamRequest:
    with transaction.atomic():
        case, request = _locked(request)
        policy.require(actor, RequestRight.HANDLE_MOBILE_REQUEST, request)
        _check_status(request, "accept")
        request.accept()
        request.handled_by, request.accepted_at, request.answer_unread = actor, timezone.now(), True
        request.save()
        tasks.sync(case, actor, done=HANDLE_REQUEST)
        _record("mobile_request.accept", actor, request)
        notify_coordinators_of_answer(request, "accepted", "La demande a été acceptée par l'équipe mobile.")
    return request


def decline(actor: User, request: MobileTeamRequest, *, reason: str) -> MobileTeamRequest:
    reason = require_text(reason, "reason", "Indiquez pourquoi l'équipe ne peut pas intervenir.")
    with transaction.atomic():
        case, request = _locked(request)
        policy.require(actor, RequestRight.HANDLE_MOBILE_REQUEST, request)
        _check_status(request, "decline")
        request.decline()
        request.handled_by, request.decline_reason, request.answer_unread = actor, reason, True
        _back_to_care(actor, case, request, Outcome.DECLINED, reason, done=HANDLE_REQUEST)
        _record("mobile_request.decline", actor, request)  # the reason stays on the request
        notify_coordinators_of_answer(request, "declined", "L'équipe mobile a décliné la demande ; son motif est "
                                                           "indiqué sur la page du signalement.")
    return request


SCHEDULE_AHEAD = datetime.timedelta(days=92)  # an intervention is planned at most three months ahead
TARGET = datetime.timedelta(days=15)  # the team's aim: an intervention within 15 days of the request


def target_date(request: MobileTeamRequest) -> datetime.date:
    """The day the team aims to intervene by: 15 days after the request."""
    return timezone.localdate(request.requested_at + TARGET)


def _check_planned_date(request: MobileTeamRequest, scheduled_at: datetime.datetime | None) -> None:
    """A planned intervention is still to come (a few minutes' slack for the typing), and at most three
    months ahead; an intervention that took place is reported, not planned."""
    now = timezone.now()
    if scheduled_at is None:
        return
    if scheduled_at < now - datetime.timedelta(minutes=15):
        raise ValidationError({"scheduled_at": "La date d'intervention est passée : planifiez une intervention à "
                                               "venir (une intervention tenue fait l'objet d'un compte rendu)."})
    if scheduled_at > now + SCHEDULE_AHEAD:
        raise ValidationError({"scheduled_at": f"Une intervention se planifie au plus trois mois à l'avance (objectif "
                                               f": avant le {target_date(request):%d/%m/%Y})."})


def _check_took_place(request: MobileTeamRequest, what: str) -> None:
    """The planned intervention took place before it is reported on, or the request finished."""
    if request.scheduled_at and request.scheduled_at > timezone.now():
        planned = timezone.localtime(request.scheduled_at)
        raise ActionRefused(f"L'intervention est prévue le {planned:%d/%m/%Y à %H:%M} : {what} une fois qu'elle a "
                            "eu lieu.")


def schedule(actor: Actor, request: MobileTeamRequest, *, scheduled_at: datetime.datetime, place: str,
             intervener: str) -> MobileTeamRequest:
    with transaction.atomic():
        case, request = _locked(request)
        policy.require(actor, RequestRight.WORK_MOBILE_REQUEST, request)
        _check_status(request, "schedule")
        _check_planned_date(request, scheduled_at)
        request.schedule()
        request.scheduled_at, request.scheduled_place, request.intervener = scheduled_at, place, intervener
        request.answer_unread = True
        validate(request)
        request.save()
        tasks.sync(case, actor, done=SCHEDULE_INTERVENTION)
        _record("mobile_request.schedule", actor, request, date=scheduled_at.isoformat())
        notify_coordinators_of_answer(
            request, "scheduled", f"Intervention prévue le {timezone.localtime(scheduled_at):%d/%m/%Y à %H:%M} ; "
                                  "le lieu est indiqué sur la page du signalement.")
    return request


def add_report(actor: User, request: MobileTeamRequest, *, on: datetime.date, text: str) -> InterventionReport:
    with transaction.atomic():
        case, request = _locked(request)
        policy.require(actor, RequestRight.WORK_MOBILE_REQUEST, request)
        if request.status != Status.SCHEDULED:
            raise ActionRefused("Un compte rendu suit une intervention planifiée.")
        _check_took_place(request, "son compte rendu se rédige")
        if on and on > timezone.localdate():
            raise ValidationError({"on": "La date de l'intervention ne peut pas être dans le futur."})
        if on and request.scheduled_at and on < timezone.localdate(request.scheduled_at):
            raise ValidationError({"on": f"L'intervention était prévue le "
                                         f"{timezone.localdate(request.scheduled_at):%d/%m/%Y} : le compte rendu "
                                         "porte sur une date à partir de celle-ci."})
        report = InterventionReport(request=request, on=on, by=actor, text=text)
        validate(report)
        report.save()
        request.answer_unread = True
        request.save()
        tasks.sync(case, actor)
        _record("mobile_request.report", actor, request, compte_rendu=report.pk)
        notify_coordinators_of_answer(request, "reported", "L'équipe mobile a transmis un compte rendu d'intervention.")
    return report


def complete(actor: Actor, request: MobileTeamRequest) -> MobileTeamRequest:
    with transaction.atomic():
        case, request = _locked(request)
        policy.require(actor, RequestRight.WORK_MOBILE_REQUEST, request)
        _check_status(request, "complete")
        _check_took_place(request, "la demande se termine")
        last = request.reports.last()
        if last is None:
            raise ActionRefused("Joignez au moins un compte rendu d'intervention avant de clore la demande.")
        request.complete()
        request.answer_unread = True
        _back_to_care(actor, case, request, Outcome.REPORTED, last.text[:1000], done=REPORT_INTERVENTION)
        _record("mobile_request.complete", actor, request, comptes_rendus=request.reports.count())
        notify_coordinators_of_answer(request, "completed", "L'équipe mobile a terminé son intervention.")
    return request


@runs(WITHDRAW)
def withdraw(actor: Actor, case: Case, *, reason: str) -> MobileTeamRequest:
    """The coordinators withdraw the case's open request."""
    reason = require_text(reason, "reason", "Indiquez pourquoi la demande est retirée.")
    with transaction.atomic():
        case = lock(case)
        WITHDRAW.require(actor, case)
        request = case.mobile_team_requests.select_for_update().filter(status__in=MobileTeamRequest.OPEN).last()
        if request is None:
            raise ActionRefused("Aucune demande à l'équipe mobile n'est en cours pour ce signalement.")
        request.withdraw()
        _back_to_care(actor, case, request, Outcome.WITHDRAWN, reason)
        _announce_withdrawal(actor, request, reason)
    return request


def send_message(actor: User, request: MobileTeamRequest, text: str,
                 attachments: Sequence[UploadedFile] = ()) -> RequestMessage:
    """A message from the team to the cellule's coordinators, or back, with up to five files; the
    other side gets an e-mail."""
    policy.require(actor, RequestRight.CONVERSE_MOBILE_REQUEST, request)
    text = require_text(text, "text", "Écrivez le message.")
    if "\x00" in text:
        raise ValidationError({"text": "Le message contient un caractère non autorisé."})
    if not is_team(actor):  # what the cellule writes to the team, as its request
        _name_nothing_on_file(request.case, {"text": text}, request.family_contact if request.family_agrees else "")
    with files.storing(list(attachments)) as (checked, write), transaction.atomic():
        message = RequestMessage(request=request, author=actor, from_team=is_team(actor), text=text)
        validate(message)
        message.save()
        stored = [MessageAttachment.objects.create(message=message, **write(file)) for file in checked]
        _record("mobile_request.message", actor, request, message=message.pk, pièces=[a.pk for a in stored])
        notify_of_message(message)
    return message


def mark_read(actor: Actor, request: MobileTeamRequest) -> list[int]:
    """The actor's side has read the other side's messages: the first reading is their receipt,
    recorded as a read."""
    policy.require(actor, RequestRight.CONVERSE_MOBILE_REQUEST, request)
    with transaction.atomic():
        unread = request.messages.select_for_update().filter(from_team=not is_team(actor), read_at=None)
        read = list(unread.values_list("pk", flat=True))
        if read:
            RequestMessage.objects.filter(pk__in=read).update(read_by=actor, read_at=timezone.now())
            _record("mobile_request.messages_read", actor, request, messages=read)
    return read


def _announce_withdrawal(actor: Actor, request: MobileTeamRequest, reason: str) -> None:
    """Every withdrawal is recorded and told to the team, whether the coordinators withdrew the
    request or closed the case."""
    _record("mobile_request.withdraw", actor, request)  # the reason stays on the request
    notify_team_of_withdrawal(request)


@runs(ACKNOWLEDGE)
def acknowledge(actor: Actor, case: Case) -> Case:
    """The coordinators have read the team's answer: their task is done."""
    with transaction.atomic():
        case = lock(case)
        ACKNOWLEDGE.require(actor, case)
        unread = list(case.mobile_team_requests.select_for_update().filter(answer_unread=True))
        for request in unread:
            request.answer_unread = False
            request.save(update_fields=["answer_unread"])
        tasks.sync(case, actor, done=READ_TEAM_ANSWER)
        record("case.team_answer_read", actor, case, demandes=[r.pk for r in unread])
    return case


def withdraw_on_closure(actor: Actor, case: Case, note: str) -> None:
    """A case closed or transferred while the team was called: its open request is withdrawn. Not an
    entry point of its own: the closure's, in its transaction (``mobile_team.receivers``)."""
    for request in case.mobile_team_requests.select_for_update().filter(status__in=MobileTeamRequest.OPEN):
        request.withdraw()
        request.outcome, request.outcome_note, request.closed_at = Outcome.WITHDRAWN, note, timezone.now()
        request.save()
        _announce_withdrawal(actor, request, note)
