"""Creating and revoking a source's service account: the administration's page and the operator's
command (``manage.py service_account``) both come here."""

import datetime
import re

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from audit.recorder import current
from cases.models import Source
from intake import tokens
from intake.models import ServiceAccount
from intake.rules import IntakeRight
from organisation import policy
from organisation.models import Departement
from organisation.policy import Actor

NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,58}$")


def _actor_label(actor: Actor) -> str:
    """Who created or revoked an account, as the account keeps it."""
    if isinstance(actor, User):
        return actor.get_username()
    return current().actor_label or "opérateur"  # the operator's command (the policy refuses anyone else)


def create_account(actor: Actor, *, name: str, source: str, departement: Departement,
                   days: int | None = None, token: str | None = None) -> tuple[ServiceAccount, str]:
    """A new account and its token, returned here only: it is never shown again.

    ``name`` becomes ``api:<name>`` in the trail (no username has a colon). ``token`` is the demo's
    fixed token (``intake.demo``) and is refused outside demo mode."""
    policy.require(actor, IntakeRight.MANAGE_ACCOUNTS, departement)
    if token is not None and not settings.DEMO:
        raise ValidationError({"token": "Un jeton fixé d'avance n'existe qu'en démonstration."})
    name = (name or "").strip().lower()
    if not NAME.match(name):
        raise ValidationError({"name": "Le nom : de 2 à 59 caractères, lettres minuscules sans accent, chiffres, "
                                       "points ou tirets (par exemple « cnapr-93 »)."})
    if source not in Source.values:
        raise ValidationError({"source": "Origine inconnue."})
    days = settings.INTAKE_TOKEN_DAYS if days is None else days
    if not 1 <= days <= 3 * 365:
        raise ValidationError({"days": "La durée de validité va d'un jour à trois ans."})
    if token is None:
        token, key_id, digest = tokens.new_token()
    else:
        parsed = tokens.parse(token)
        if parsed is None:
            raise ValidationError({"token": "Jeton mal formé."})
        key_id, digest = parsed[0], tokens.digest(parsed[1])
    if not hasattr(departement, "cell"):
        raise ValidationError({"departement": "Ce département n'a pas de cellule pour recevoir les signalements."})
    if ServiceAccount.objects.filter(name=f"api:{name}").exists():
        raise ValidationError({"name": "Un compte de service porte déjà ce nom."})
    with transaction.atomic():
        account = ServiceAccount.objects.create(
            name=f"api:{name}", source=source, departement=departement, key_id=key_id, digest=digest,
            created_by=_actor_label(actor), expires_at=timezone.now() + datetime.timedelta(days=days))
        audit.record("intake.account_create", obj=account, actor=actor, departement=departement.code,
                     details={"compte": account.name, "origine": account.get_source_display(),
                              "expire_le": timezone.localtime(account.expires_at).date().isoformat()})
    return account, token


def revoke_account(actor: Actor, account: ServiceAccount) -> ServiceAccount:
    """The account's token stops working at once; the account stays, with what it sent."""
    policy.require(actor, IntakeRight.MANAGE_ACCOUNTS, account.departement)
    with transaction.atomic():
        account = ServiceAccount.objects.select_for_update().get(pk=account.pk)
        if account.revoked_at is not None:
            raise ValidationError("Ce compte de service est déjà révoqué.")
        account.revoked_at, account.revoked_by = timezone.now(), _actor_label(actor)
        account.save(update_fields=["revoked_at", "revoked_by"])
        audit.record("intake.account_revoke", obj=account, actor=actor, departement=account.departement.code,
                     details={"compte": account.name})
    return account
