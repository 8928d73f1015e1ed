"""Entry points for accounts: their creation, their changes, and getting one back.

Separation of duties: the technical administrator manages accounts but never holds one's
credentials. It never chooses a password (an account receives at its own address the link to
choose one) and never resets a second factor or sends a new password link alone: it asks, a second
person approves (``AccountRecovery``, ``OrganisationRight.DECIDE_RECOVERY``), and the holder is told
at each step. A changed address is told to the previous one. Each entry point checks the policy,
writes and records its event in one transaction; the e-mails leave only if it commits.
"""

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

import audit
from audit.changes import diff, snapshot
from audit.models import Event
from organisation import policy, sessions
from organisation.errors import ActionRefused
from organisation.models import AccountRecovery, Membership, RecoveryCode, Role, SecondFactor
from organisation.policy import Actor
from organisation.rules import OrganisationRight
from outbox.mail import queue_mail

SUBJECT = "[Cellule de suivi]"
WHO_TO_WARN = ("Si vous n'en êtes pas à l'origine, prévenez sans attendre le coordonnateur de votre cellule ou le "
               "niveau national.")


def password_link(user: User) -> str:
    """The link where the account's holder chooses a password (Django's reset token: it dies once the
    password is set, or after ``PASSWORD_RESET_TIMEOUT``)."""
    return settings.SITE_URL.rstrip("/") + reverse("password_reset_confirm", args=[
        urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)])


def create_user_account(actor: Actor, user: User) -> User:
    """The technical administrator creates an account, without a password and without a role: its
    holder receives at its address the link to choose a password."""
    policy.require(actor, OrganisationRight.MANAGE_REFERENCE_DATA)
    user.set_unusable_password()
    user.full_clean()
    _check_address(user)
    with transaction.atomic():
        user.save()
        audit.record("user.create", obj=user, actor=actor, details={"changements": diff({}, snapshot(user))})
        queue_mail(f"{SUBJECT} Votre compte", (
            f"Bonjour {user.get_full_name()},\n\nUn compte de la cellule de suivi a été créé pour vous. Choisissez "
            f"votre mot de passe :\n\n{password_link(user)}\n\nVotre identifiant : {user.username}\n\n"
            f"Vos droits vous seront donnés par qui vous nomme dans votre rôle. {WHO_TO_WARN}\n"), [user.email])
    return user


def save_account(actor: Actor, user: User, before: dict[str, Any]) -> User:
    """The technical administrator changes an account (names, address, deactivation); ``before`` is
    the snapshot taken before the form wrote into ``user``. A changed address is told to the previous
    one: a link later sent to the new address could otherwise reach someone else unnoticed."""
    policy.require(actor, OrganisationRight.MANAGE_REFERENCE_DATA)
    if user.pk == getattr(actor, "pk", None) and not user.is_active:
        raise ActionRefused("Votre propre compte se désactive par un autre administrateur.")
    user.full_clean()
    _check_address(user)
    with transaction.atomic():
        user.save()
        audit.record("user.update", obj=user, actor=actor, details={"changements": diff(before, snapshot(user))})
        if not user.is_active:  # a deactivated account's sessions end now
            sessions.end_sessions(actor, user, reason=sessions.EndReason.DEACTIVATED)
        previous = before.get("email") or ""
        if previous and previous.lower() != user.email.lower():
            queue_mail(f"{SUBJECT} Adresse de votre compte modifiée", (
                f"Bonjour {user.get_full_name()},\n\nL'adresse de courriel de votre compte « {user.username} » "
                f"a été remplacée par l'administration technique le {timezone.localtime():%d/%m/%Y à %H:%M}. "
                f"Les prochains messages de la cellule de suivi iront à la nouvelle adresse.\n\n{WHO_TO_WARN}\n"),
                [previous])
    return user


def set_active(actor: Actor, user: User, active: bool) -> User:
    """The technical administrator deactivates an account (its sessions end, it can no longer sign
    in; its memberships and history stay) or activates it again. The account's row is locked: of two
    administrators deactivating it at once, the second is told it is done."""
    policy.require(actor, OrganisationRight.MANAGE_REFERENCE_DATA)
    with transaction.atomic():
        stored = User.objects.select_for_update().get(pk=user.pk)
        if stored.is_active == active:
            raise ActionRefused("Ce compte est déjà actif." if active else "Ce compte est déjà désactivé.")
        before = snapshot(stored)
        stored.is_active = active
        return save_account(actor, stored, before)


def _check_address(user: User) -> None:
    """One active account per address: the composition pages and the national roles' page find a
    person by it."""
    if user.is_active and User.objects.filter(email__iexact=user.email, is_active=True).exclude(pk=user.pk).exists():
        raise ValidationError({"email": "Un autre compte actif a déjà cette adresse."})


def request_recovery(actor: User, user: User, *, kind: str, reason: str) -> AccountRecovery:
    """The technical administrator asks for a new password link or a second-factor reset; nothing
    happens until a second person approves. The holder and those who may approve are told."""
    if user.pk == getattr(actor, "pk", None):
        raise ActionRefused("Votre propre compte se récupère à la demande d'un autre administrateur.")
    policy.require(actor, OrganisationRight.REQUEST_RECOVERY, user)
    recovery = AccountRecovery(user=user, kind=kind, reason=reason.strip(), requested_by_id=actor.pk)
    recovery.full_clean(validate_constraints=False)
    if not user.is_active:
        raise ActionRefused("Ce compte est désactivé : réactivez-le d'abord.")
    try:
        with transaction.atomic():
            recovery.save()
            audit.record("user.recovery_request", obj=user, actor=actor, details={"demande": recovery.kind})
            queue_mail(f"{SUBJECT} Demande sur votre compte", (
                f"Bonjour {user.get_full_name()},\n\nL'administration technique a demandé pour votre compte "
                f"« {user.username} » : {recovery.get_kind_display().lower()}. Elle ne prendra effet qu'une fois "
                f"approuvée par une seconde personne.\n\n{WHO_TO_WARN}\n"), [user.email])
            approvers = deciders(recovery)
            if approvers:
                queue_mail(f"{SUBJECT} Une demande sur un compte attend votre décision", (
                    f"Bonjour,\n\nL'administration technique demande pour le compte de {user.get_full_name()} : "
                    f"{recovery.get_kind_display().lower()}. Vérifiez auprès de la personne que la demande vient "
                    f"bien d'elle, puis approuvez-la ou refusez-la :\n\n"
                    f"{settings.SITE_URL.rstrip('/')}{reverse('account_recoveries')}\n"), approvers)
    except IntegrityError:
        raise ActionRefused("Une demande de ce type attend déjà une décision pour ce compte.") from None
    return recovery


def deciders(recovery: AccountRecovery) -> list[str]:
    """The addresses of those who may approve: the coordinators of the holder's cellules, else the
    national level (the accounts that have no cellule)."""
    cells = Membership.objects.active().filter(user=recovery.user, cell__isnull=False).values("cell")
    roles = Membership.objects.active().filter(user__is_active=True).exclude(
        user_id__in=[recovery.user_id, recovery.requested_by_id])
    coordinators = roles.filter(role=Role.COORDINATOR, cell__in=cells)
    chosen = coordinators if coordinators.exists() else roles.filter(role=Role.NATIONAL)
    return sorted(set(chosen.values_list("user__email", flat=True)))


def decide_recovery(actor: User, recovery: AccountRecovery, *, approve: bool) -> AccountRecovery:
    """The second person approves (the link is sent, or the second factor removed) or refuses."""
    with transaction.atomic():
        recovery = AccountRecovery.objects.select_for_update().select_related("user").get(pk=recovery.pk)
        policy.require(actor, OrganisationRight.DECIDE_RECOVERY, recovery)
        user = recovery.user
        recovery.status = AccountRecovery.Status.APPROVED if approve else AccountRecovery.Status.REFUSED
        recovery.decided_by_id, recovery.decided_at = actor.pk, timezone.now()
        recovery.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record("user.recovery_approve" if approve else "user.recovery_refuse", obj=user, actor=actor,
                     details={"demande": recovery.kind})
        if not approve:
            body = (f"La demande de l'administration technique pour votre compte "
                    f"({recovery.get_kind_display().lower()}) a été refusée : rien n'a changé.")
        elif recovery.kind == AccountRecovery.Kind.PASSWORD:
            body = f"Choisissez votre nouveau mot de passe :\n\n{password_link(user)}"
        else:
            SecondFactor.objects.filter(user=user).delete()
            RecoveryCode.objects.filter(user=user).delete()
            audit.record("user.second_factor_reset", obj=user, actor=actor)
            sessions.end_sessions(actor, user, reason=sessions.EndReason.SECOND_FACTOR)
            body = ("Votre second facteur a été réinitialisé : à votre prochaine connexion, enregistrez votre "
                    "application d'authentification.")
        queue_mail(f"{SUBJECT} Demande sur votre compte : décision", (
            f"Bonjour {user.get_full_name()},\n\n{body}\n\n{WHO_TO_WARN}\n"), [user.email])
    return recovery


def address_changed_on(user: User) -> datetime.datetime | None:
    """When the account's address was last changed, for the one who decides on getting it back: a
    recent change is the first step of taking an account over."""
    for event in Event.objects.filter(action="user.update", object_type="auth.user",
                                      object_id=str(user.pk)).order_by("-id")[:20]:
        if "email" in (event.details or {}).get("changements", {}):
            changed: datetime.datetime = event.time  # the trail's manager is untyped: its rows are Any
            return changed
    return None
