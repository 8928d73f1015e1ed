"""Entry points of the charter: accepting its current version, publishing a new one. Each checks the
policy, validates, writes and records its audit event in one transaction."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from charter.models import Acceptance, Version
from charter.rules import CharterRight
from organisation import policy
from organisation.errors import ActionRefused
from organisation.policy import Actor


def accept_charter(user: User, number: int) -> Acceptance:
    """``user`` accepts version ``number``, the one their page showed: refused if a newer one was
    published since (they have not read it). Accepting twice keeps the first acceptance."""
    policy.require(user, CharterRight.ACCEPT)
    with transaction.atomic():
        current = Version.objects.current()
        if current is None or current.number != number:
            raise ActionRefused("La charte a changé depuis que vous l'avez ouverte : "
                                "lisez sa nouvelle version avant de l'accepter.")
        acceptance, created = Acceptance.objects.get_or_create(
            user=user, version=current, defaults={"accepted_at": timezone.now()})
        if created:
            audit.record("charter.accept", obj=acceptance, actor=user, departement=policy.audit_actor(user)[1],
                         details={"version": current.number})
    return acceptance


def publish_version(actor: Actor, text: str) -> Version:
    """A new version of the charter, dated today: from the next page they open, everyone who reads
    names accepts it before going on (``project.middleware.CharterMiddleware``)."""
    policy.require(actor, CharterRight.PUBLISH)
    text = text.strip().replace("\r\n", "\n")
    if not text:
        raise ValidationError({"text": "Le texte de la charte est vide."})
    with transaction.atomic():
        # Locks the latest version, so that two publications at once cannot take the same number.
        latest = Version.objects.select_for_update().order_by("-number").first()
        if latest is not None and latest.text == text:
            raise ActionRefused(f"Ce texte est déjà celui de la version {latest.number} de la charte.")
        version = Version.objects.create(number=(latest.number if latest else 0) + 1,
                                         published_on=timezone.localdate(), text=text)
        audit.record("charter.publish", obj=version, actor=actor, details={"version": version.number})
    return version
