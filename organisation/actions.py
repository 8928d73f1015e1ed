"""Entry points that change the organisation: memberships, reference data and the institutions the
coordinators propose.

Each one checks the access policy, validates, writes and records its audit event in one
transaction. The admin, the views and the commands call these, never ``save()`` directly.
"""

import datetime
from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

import audit
from audit.changes import diff, snapshot
from organisation import accounts, handover, policy
from organisation.errors import ActionRefused
from organisation.models import Cell, Departement, Institution, InstitutionProposal, Mandate, Membership, Role
from organisation.policy import Actor
from organisation.rules import OrganisationRight
from outbox.mail import queue_mail

M = TypeVar("M", bound=models.Model)


def _departement_of(instance: models.Model) -> str:
    cell = getattr(instance, "cell", None)
    return cell.departement.code if cell is not None else ""


def save_membership(actor: Actor, membership: Membership) -> Membership:
    """Create, change or end a membership, if the actor may give that role there and it is not their
    own (``OrganisationRight.GRANT_ROLE``): a changed role must have been the actor's to give too."""
    policy.require(actor, OrganisationRight.GRANT_ROLE, membership)
    creating = membership._state.adding
    if not creating:
        stored = Membership.objects.select_related("cell").get(pk=membership.pk)
        policy.require(actor, OrganisationRight.GRANT_ROLE, stored)
    membership.full_clean()
    before = {} if creating else snapshot(stored)
    with transaction.atomic():
        membership.save()
        audit.record(
            "membership.create" if creating else "membership.update",
            obj=membership,
            actor=actor,
            departement=_departement_of(membership),
            details={"changements": diff(before, snapshot(membership))},
        )
    policy.forget(membership.user)
    return membership


def invite_account(actor: Actor, user: User, membership: Membership | None = None) -> User:
    """The technical administrator's one way to create an account: the account (its holder receives
    the invitation link to choose a password, ``accounts.create_user_account``) and, in the same
    transaction, the role it gives with it, if any. The roles it may give are the administrator's
    only (``organisation.rules.GRANTED_BY``): the national level and the coordinators name the others."""
    with transaction.atomic():
        accounts.create_user_account(actor, user)
        if membership is not None:
            membership.user = user
            save_membership(actor, membership)
    return user


def save_reference(actor: Actor, instance: M, before: dict[str, Any] | None = None) -> M:
    """Create or change reference data (accounts, cellules, institutions): admin only. No account is
    ever saved as superuser (``organisation.receivers``): rights come from roles.

    ``before`` is the snapshot taken before a form changed the instance in place.
    """
    policy.require(actor, OrganisationRight.MANAGE_REFERENCE_DATA)
    creating = instance._state.adding
    with transaction.atomic():
        instance.save()
        audit.record(
            f"{instance._meta.model_name}.{'create' if creating else 'update'}",
            obj=instance,
            actor=actor,
            departement=_departement_of(instance) or getattr(getattr(instance, "departement", None), "code", ""),
            details={"changements": diff(before or {}, snapshot(instance))},
        )
    return instance


def request_mandate(actor: Actor, mandate: Mandate, departements: Iterable[Departement]) -> Mandate:
    """A national officer proposes an inspection mandate; it opens nothing until another approves it."""
    mandate.requested_by_id = getattr(actor, "pk", None)
    policy.require(actor, OrganisationRight.REQUEST_MANDATE, mandate)
    if not departements:
        raise ActionRefused("Un mandat couvre au moins un département.")
    mandate.full_clean()
    with transaction.atomic():
        mandate.save()
        mandate.departements.set(departements)
        audit.record("mandate.request", obj=mandate, actor=actor, details={
            "inspecteur": mandate.inspector.username, "départements": sorted(d.code for d in departements),
            "validité": f"{mandate.starts_on:%d/%m/%Y} – {mandate.ends_on:%d/%m/%Y}",
            "période": f"{mandate.reviews_from:%d/%m/%Y} – {mandate.reviews_until:%d/%m/%Y}"})
    return mandate


def approve_mandate(actor: Actor, mandate: Mandate) -> Mandate:
    """A second national officer approves a mandate; from then on it opens what it covers."""
    with transaction.atomic():
        mandate = Mandate.objects.select_for_update().select_related("inspector").get(pk=mandate.pk)
        policy.require(actor, OrganisationRight.APPROVE_MANDATE, mandate)
        mandate.approved_by_id, mandate.approved_at = getattr(actor, "pk", None), timezone.now()
        mandate.save(update_fields=["approved_by", "approved_at"])
        audit.record("mandate.approve", obj=mandate, actor=actor, details={"inspecteur": mandate.inspector.username})
    policy.forget(mandate.inspector)
    return mandate


def end_membership(actor: Actor, membership: Membership, ends_on: datetime.date,
                   successor: User | None = None) -> Membership:
    """A member leaves the cellule on a date; the membership is kept, with its history.

    Nobody is left holding a case or a task in a cellule they have left: what the member still holds
    there (``organisation.handover``) goes to ``successor``, an active member of the cellule, in the
    same transaction; without one, the end is refused while the member holds anything.
    """
    with transaction.atomic():
        # Locked: two coordinators ending the same membership hand its cases over once.
        membership = (Membership.objects.select_for_update(of=("self",)).select_related("cell__departement", "user")
                      .get(pk=membership.pk))
        policy.require(actor, OrganisationRight.GRANT_ROLE, membership)
        if membership.ends_on and membership.ends_on <= ends_on:
            raise ActionRefused("Ce membre a déjà quitté la cellule.")
        # A national role holds no case of a cellule: nothing to hand over.
        holdings = handover.held(membership.cell, [membership.user_id]).get(membership.user_id) \
            if membership.cell_id else None
        if holdings and successor is None:
            raise ActionRefused(f"{membership.user.get_full_name()} suit encore des signalements ou détient des "
                                "tâches : choisissez le membre de la cellule à qui les confier.")
        if holdings and successor is not None:  # none was refused above
            _check_successor(membership, successor)
            handover.hand_over(actor, membership, successor)
        membership.ends_on = ends_on
        return save_membership(actor, membership)


def _check_successor(membership: Membership, successor: User) -> None:
    cell = membership.cell  # a membership that holds cases sits in a cellule
    if cell is None or successor.pk == membership.user_id or not cell.memberships.active().filter(
            user=successor, role__in=[Role.COORDINATOR, Role.MEMBER]).exists():
        raise ValidationError({"successor": "Confiez les signalements et les tâches à un autre membre actif de la "
                                            "cellule."})


def invite_member(actor: Actor, cell: Cell, *, username: str, first_name: str, last_name: str, email: str,
                  **membership_fields: Any) -> Membership:
    """A coordinator invites someone who has no account yet: the account is created without a
    password, and the invitation e-mail carries the link to choose one."""
    policy.require(actor, OrganisationRight.MANAGE_MEMBERSHIPS, cell)
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    user.set_unusable_password()
    user.full_clean()
    with transaction.atomic():
        user.save()
        audit.record("user.invite", obj=user, actor=actor, departement=cell.departement.code,
                     details={"changements": diff({}, snapshot(user))})
        membership = save_membership(actor, Membership(user=user, cell=cell, **membership_fields))
        queue_mail(
            "[Cellule de suivi] Invitation à rejoindre la cellule de suivi",
            f"Bonjour {first_name} {last_name},\n\nLa {cell} vous invite à la rejoindre "
            f"({membership.get_role_display().lower()}). Choisissez votre mot de passe :\n\n"
            f"{accounts.password_link(user)}\n\n"
            f"Votre identifiant : {username}\n", [email])
    return membership


def propose_institution(actor: User, cell: Cell, proposal: InstitutionProposal) -> InstitutionProposal:
    """A coordinator asks for an institution the cellule misses in its département (the parquet, a CAF, a
    mission locale, a CLSPD…). Only the technical administrator creates institutions
    (``OrganisationRight.MANAGE_REFERENCE_DATA``): until it validates the proposal, the institution exists
    nowhere and nothing offers it."""
    policy.require(actor, OrganisationRight.PROPOSE_INSTITUTION, cell)
    proposal.departement, proposal.proposed_by = cell.departement, actor
    proposal.status = InstitutionProposal.Status.PENDING
    proposal.full_clean()
    _check_name_free(proposal)
    with transaction.atomic():
        proposal.save()
        audit.record("institution.propose", obj=proposal, actor=actor, departement=cell.departement.code,
                     details={"nom": proposal.name, "catégorie": proposal.category})
    return proposal


def _check_name_free(proposal: InstitutionProposal) -> None:
    if Institution.objects.filter(name__iexact=proposal.name).exists():
        raise ValidationError({"name": f"L'institution « {proposal.name} » existe déjà : demandez à l'administration "
                                       "technique de la rattacher au département si elle ne vous est pas proposée."})
    waiting = InstitutionProposal.objects.filter(name__iexact=proposal.name, status=InstitutionProposal.Status.PENDING)
    if waiting.exclude(pk=proposal.pk).exists():
        raise ValidationError({"name": f"« {proposal.name} » est déjà proposée et attend la validation de "
                                       "l'administration technique."})


def _pending(proposal: InstitutionProposal) -> InstitutionProposal:
    """The proposal read again under a lock: two administrators deciding at once decide it once."""
    proposal = InstitutionProposal.objects.select_for_update().select_related("departement", "proposed_by").get(
        pk=proposal.pk)
    if proposal.status != InstitutionProposal.Status.PENDING:
        raise ActionRefused(f"La proposition « {proposal.name} » a déjà été {proposal.get_status_display().lower()}.")
    return proposal


def validate_proposal(actor: Actor, proposal: InstitutionProposal) -> Institution:
    """The technical administrator creates the proposed institution in the proposal's département; from
    then on the cellule finds it where it chooses a partner. The coordinator who proposed it is told."""
    policy.require(actor, OrganisationRight.MANAGE_REFERENCE_DATA)
    with transaction.atomic():
        proposal = _pending(proposal)
        _check_name_free(proposal)
        institution = Institution(departement=proposal.departement, **{
            field: getattr(proposal, field) for field in ("name", "category", "prevention_kind", "territory",
                                                          "contact_name", "contact_email", "contact_phone")})
        institution.full_clean()
        save_reference(actor, institution)
        proposal.status, proposal.institution = InstitutionProposal.Status.VALIDATED, institution
        _decide(actor, proposal, "institution.proposal_validate")
    return institution


def refuse_proposal(actor: Actor, proposal: InstitutionProposal, *, reason: str) -> InstitutionProposal:
    """The technical administrator refuses a proposal, saying why (the institution exists under another
    name, it is no partner of the cellule…); the coordinator who proposed it is told."""
    policy.require(actor, OrganisationRight.MANAGE_REFERENCE_DATA)
    if not reason.strip():
        raise ValidationError({"refusal_reason": "Indiquez le motif du refus : il est transmis au coordonnateur."})
    with transaction.atomic():
        proposal = _pending(proposal)
        proposal.status, proposal.refusal_reason = InstitutionProposal.Status.REFUSED, reason.strip()
        proposal.full_clean()
        _decide(actor, proposal, "institution.proposal_refuse", motif=proposal.refusal_reason)
    return proposal


def _decide(actor: Actor, proposal: InstitutionProposal, event: str, **details: str) -> None:
    proposal.decided_by_id, proposal.decided_at = getattr(actor, "pk", None), timezone.now()
    proposal.save()
    audit.record(event, obj=proposal, actor=actor, departement=proposal.departement.code,
                 details={"nom": proposal.name, **details})
    outcome = ("est validée : l'institution est désormais proposée par la cellule" if proposal.institution_id else
               f"est refusée, pour ce motif : {proposal.refusal_reason}")
    if proposal.proposed_by.email:
        queue_mail(f"[Cellule de suivi] Institution proposée : {proposal.name}",
                   f"Bonjour,\n\nVotre proposition d'institution « {proposal.name} » ({proposal.departement}) "
                   f"{outcome}.\n", [proposal.proposed_by.email])
