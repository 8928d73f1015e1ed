"""Entry points that change the organisation: memberships and reference data.

Each one checks the access policy, validates, writes and records its audit event in one
transaction. The admin, the views and the commands call these, never ``save()`` directly.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import models, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

import audit
from audit.changes import diff, snapshot
from organisation import policy
from organisation.errors import ActionRefused
from organisation.models import Membership, Role
from organisation.rules import OrganisationRight


def _departement_of(instance) -> str:
    cell = getattr(instance, "cell", None)
    return cell.departement.code if cell is not None else ""


def save_membership(actor, membership: Membership) -> Membership:
    """Create or change a membership: a coordinator in their cellule, an admin anywhere."""
    if membership.role in Role.cell_roles() and membership.cell_id:
        policy.require(actor, OrganisationRight.MANAGE_MEMBERSHIPS, membership.cell)
    else:
        policy.require(actor, OrganisationRight.MANAGE_REFERENCE_DATA)
    membership.full_clean()
    creating = membership._state.adding
    before = {} if creating else snapshot(Membership.objects.get(pk=membership.pk))
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


def save_reference(actor, instance: models.Model, before: dict | None = None) -> models.Model:
    """Create or change reference data (accounts, cellules, institutions, mandates): admin only.

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


def set_mandate_departements(actor, mandate, departements) -> None:
    """Name the départements an inspection mandate covers: admin only."""
    policy.require(actor, OrganisationRight.MANAGE_REFERENCE_DATA)
    with transaction.atomic():
        mandate.departements.set(departements)
        audit.record(
            "mandate.departements", obj=mandate, actor=actor,
            details={"départements": sorted(d.code for d in mandate.departements.all())},
        )


def end_membership(actor, membership: Membership, ends_on) -> Membership:
    """A member leaves the cellule on a date; the membership is kept, with its history."""
    membership = Membership.objects.select_related("cell__departement", "user").get(pk=membership.pk)
    if membership.ends_on and membership.ends_on <= ends_on:
        raise ActionRefused("Ce membre a déjà quitté la cellule.")
    membership.ends_on = ends_on
    return save_membership(actor, membership)


def invite_member(actor, cell, *, username: str, first_name: str, last_name: str, email: str,
                  **membership_fields) -> Membership:
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
        link = settings.SITE_URL.rstrip("/") + reverse(
            "password_reset_confirm", args=[urlsafe_base64_encode(force_bytes(user.pk)),
                                            default_token_generator.make_token(user)])
        transaction.on_commit(lambda: send_mail(
            "[Cellule de suivi] Invitation à rejoindre la cellule de suivi",
            f"Bonjour {first_name} {last_name},\n\nVous êtes invité(e) à rejoindre la {cell} "
            f"({membership.get_role_display().lower()}). Choisissez votre mot de passe :\n\n{link}\n\n"
            f"Votre identifiant : {username}\n", None, [email]))
    return membership
