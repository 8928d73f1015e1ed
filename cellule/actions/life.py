"""The families' interview requests (coordinators) and the support groups (coordinators create them; a
session is recorded by them or by the group's facilitator)."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.actions.base import Check, lock, runs
from cases.models import Case, State
from cellule.actions.base import record
from cellule.models import InterviewRequest, SupportGroup, SupportGroupSession
from cellule.rules import CelluleRight
from organisation import policy
from organisation.models import Cell, Institution, Membership
from organisation.policy import Actor
from workflows import tasks

RECORD_INTERVIEW = Check("Enregistrer une demande d'entretien de la famille", CelluleRight.MANAGE_INTERVIEWS)
UPDATE_INTERVIEW = Check("Programmer ou clore une demande d'entretien", CelluleRight.MANAGE_INTERVIEWS)


@runs(RECORD_INTERVIEW)
def record_interview_request(actor: Actor, case: Case, **fields: Any) -> InterviewRequest:
    """A family asks to meet the préfet, the directeur de cabinet or the référent; the coordinators
    get a task to answer it."""
    with transaction.atomic():
        case = lock(case)
        RECORD_INTERVIEW.require(actor, case)
        request = InterviewRequest(case=case, **fields)
        request.full_clean()
        _check_dates(request)
        request.save()
        tasks.sync(case, actor)
        record("interview_request.create", actor, request, case.departement.cell, signalement=case.reference)
    return request


@runs(UPDATE_INTERVIEW)
def update_interview_request(actor: Actor, case: Case, request: InterviewRequest, *, status: str,
                             scheduled_at: datetime.datetime | None = None, held_on: datetime.date | None = None,
                             outcome: str = "") -> InterviewRequest:
    """The interview is scheduled, then held, with what came of it."""
    with transaction.atomic():
        case = lock(case)
        UPDATE_INTERVIEW.require(actor, case)
        request = InterviewRequest.objects.select_for_update().get(pk=request.pk, case=case)
        if status == InterviewRequest.Status.SCHEDULED and not scheduled_at:
            raise ValidationError({"scheduled_at": "Indiquez quand l'entretien aura lieu."})
        if status == InterviewRequest.Status.HELD and not held_on:
            raise ValidationError({"held_on": "Indiquez quand l'entretien a eu lieu."})
        request.status, request.scheduled_at, request.held_on, request.outcome = status, scheduled_at, held_on, outcome
        request.full_clean()
        _check_dates(request)
        request.save()
        done = None if status == InterviewRequest.Status.REQUESTED else "answer_interview"
        tasks.sync(case, actor, done=done)
        record("interview_request.update", actor, request, case.departement.cell, signalement=case.reference,
                état=status)
    return request


def _check_dates(request: InterviewRequest) -> None:
    """Dates that agree with the case and with each other."""
    today, received = timezone.localdate(), request.case.received_on
    if request.requested_on and request.requested_on > today:
        raise ValidationError({"requested_on": "La date de la demande ne peut pas être dans le futur."})
    if request.requested_on and request.requested_on < received:
        raise ValidationError({"requested_on": f"La demande ne peut précéder la réception du signalement "
                                               f"(le {received:%d/%m/%Y})."})
    if request.held_on and (request.held_on > today or request.held_on < request.requested_on):
        raise ValidationError({"held_on": "L'entretien a eu lieu après la demande, et pas dans le futur."})
    if request.held_on and request.scheduled_at and request.held_on < timezone.localdate(request.scheduled_at):
        raise ValidationError({"held_on": "L'entretien ne peut avoir eu lieu avant la date où il était prévu."})


def create_support_group(actor: Actor, cell: Cell, *, name: str,
                         run_by: str = SupportGroup.RunBy.ASSOCIATION, institution: Institution | None = None,
                         facilitator: Membership | None = None) -> SupportGroup:
    """A support group of the cellule, run by an association of the département or by the préfecture, and
    its facilitator: a member of the cellule who belongs to the association (or works at the préfecture)."""
    policy.require(actor, CelluleRight.MANAGE_MEETINGS, cell)
    if run_by == SupportGroup.RunBy.ASSOCIATION and institution is None:
        raise ValidationError({"institution": "Choisissez l'association qui porte le groupe."})
    if run_by == SupportGroup.RunBy.PREFECTURE and institution is not None:
        raise ValidationError({"institution": "Un groupe porté par la préfecture n'a pas d'association : "
                                              "laissez ce champ vide, ou choisissez « Une association »."})
    if institution is not None:
        if why := institution.not_partner_in(cell.departement_id):
            raise ValidationError({"institution": why})
        if institution.category != Institution.Category.ASSOCIATION:
            raise ValidationError({"institution": f"{institution} n'est pas une association : un groupe est porté "
                                                  "par une association du département ou par la préfecture."})
    with transaction.atomic():
        if facilitator is not None:
            _check_facilitator(cell, institution, facilitator)
        group = SupportGroup(cell=cell, name=name, run_by=run_by, institution=institution, facilitator=facilitator)
        group.full_clean()
        group.save()
        # Its name, typed, stays on the group.
        record("support_group.create", actor, group, cell, porté_par=run_by,
               animation=facilitator.user.get_full_name() if facilitator else "")
    return group


def _check_facilitator(cell: Cell, institution: Institution | None, facilitator: Membership) -> None:
    """The facilitator is an active member of the cellule, of the association that runs the group (or of the
    préfecture, for a group it runs)."""
    people = Membership.objects.at_prefecture(cell) if institution is None else Membership.objects.active().filter(
        cell=cell, institution=institution, user__is_active=True)
    if not people.filter(pk=facilitator.pk).exists():
        where = "de la préfecture" if institution is None else f"de {institution}"
        raise ValidationError({"facilitator": f"La personne qui anime le groupe est un membre de la cellule {where}."})


def record_support_session(actor: Actor, group: SupportGroup, *, on: datetime.date, families: list[Case],
                           other_parents: int = 0) -> SupportGroupSession:
    """A session of a support group, recorded by the coordinators or by the group's facilitator: the families
    who took part (linked to their cases, under way, which the author follows), and how many other parents
    came, whose children the cellule does not follow (a count, never a name)."""
    policy.require(actor, CelluleRight.RECORD_SUPPORT_SESSION, group)
    if on > timezone.localdate():
        raise ValidationError({"on": "La séance a déjà eu lieu : sa date ne peut être dans le futur."})
    if any(case.departement_id != group.cell.departement_id for case in families):
        raise ValidationError({"families": "Les familles participantes sont suivies par la cellule."})
    with transaction.atomic():
        # Read again under a lock: a case closed (or transferred) meanwhile is no longer followed here.
        states = Case.objects.select_for_update().filter(pk__in=[case.pk for case in families]).order_by("reference")
        closed = next((ref for ref, state in states.values_list("reference", "state") if state == State.CLOSED), None)
        if closed:
            raise ValidationError({"families": f"Le signalement {closed} est clôturé : sa famille n'est plus suivie "
                                               "par la cellule et ne peut être inscrite à une séance."})
        # A facilitator names only the families they may see (those their association takes into care).
        seen = Case.objects.visible_to(actor).filter(pk__in=[case.pk for case in families]).count()
        if actor is not policy.SYSTEM and seen < len({case.pk for case in families}):
            raise ValidationError({"families": "Une famille choisie n'est pas suivie avec vous : seule la "
                                               "coordination de la cellule peut l'inscrire."})
        session = SupportGroupSession(group=group, on=on, other_parents=other_parents)
        session.full_clean()
        session.save()
        session.families.set(families)
        record("support_session.create", actor, session, group.cell, familles=len(families),
               autres_parents=other_parents)
    return session
