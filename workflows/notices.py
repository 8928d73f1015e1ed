"""The entry points of a person's notifications: mark them read, choose how they are told by e-mail.

Each acts on the actor's own rows only (``Notification.objects.of``), asks the policy and records
its change; the notifications themselves are made by ``workflows.notifications.notify``."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from organisation import policy
from organisation.policy import Actor, user_id
from workflows.models import EmailChoice, Notification, NotificationPreference
from workflows.rules import NotificationRight


def read_notifications(actor: Actor, ids: Iterable[int] | None = None) -> int:
    """Mark read the actor's unread notifications among ``ids`` (all of them without ``ids``); another's
    is never reached. Returns how many were marked; the trail records how many, when any."""
    policy.require(actor, NotificationRight.READ_NOTIFICATION)
    with transaction.atomic():
        unread = Notification.objects.filter(recipient_id=user_id(actor), read_at__isnull=True)
        if ids is not None:
            unread = unread.filter(pk__in=list(ids))
        marked = unread.update(read_at=timezone.now())
        if marked:
            audit.record("notification.read", actor=actor, details={"notifications": marked})
    return marked


def choose_notification_email(actor: Actor, email: str) -> NotificationPreference:
    """Each notification by e-mail, a daily digest, or none (they stay listed in the product). What
    waits for the digest stays there: the choice applies to the notifications to come."""
    policy.require(actor, NotificationRight.CHOOSE_NOTIFICATION_EMAIL)
    if email not in EmailChoice.values:
        raise ValidationError({"email": "Choisissez une des propositions."})
    with transaction.atomic():
        preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user_id=user_id(actor))
        before = preference.email
        if before != email:
            preference.email = email
            preference.save(update_fields=["email"])
        audit.record("notification.preference", obj=preference, actor=actor,
                     details={"avant": before, "après": email})
    return preference
