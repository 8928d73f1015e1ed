"""A person's open sessions (ASVS 5.0 V7): listed, and ended by their owner, by the coordinator of their
cellule or by the technical administrator (``OrganisationRight.MANAGE_SESSIONS``); ended all at once,
but the one in use, when the account is deactivated, its password changed or set, or its second factor
changed, so that whoever held another session (a stolen cookie, a forgotten computer) is out at their
next request. The sessions are the rows of the session engine (``organisation.session_store``).
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

import audit
from organisation import policy, session_store
from organisation.models import AccountSession
from organisation.policy import Actor
from organisation.rules import OrganisationRight


class EndReason(models.TextChoices):
    ASKED = "asked", "à la demande"
    DEACTIVATED = "deactivated", "compte désactivé"
    PASSWORD = "password", "mot de passe changé"
    SECOND_FACTOR = "second_factor", "second facteur changé"


def open_sessions(user: User) -> QuerySet[AccountSession]:
    """The user's sessions still open: not expired, used within ``SESSION_IDLE_MINUTES``, begun less
    than ``SESSION_MAX_HOURS`` ago (``project.middleware.SessionLimitsMiddleware`` ends the others at
    their next request); the most recently used first."""
    return AccountSession.objects.filter(still_open(), user=user).order_by("-seen_at", "-started_at")


def open_counts(users: Iterable[int]) -> dict[int, int]:
    """How many sessions each of ``users`` (their ids) has open, in one query."""
    counted = (AccountSession.objects.filter(still_open(), user__in=users).values("user")
               .annotate(open=Count("pk")).values_list("user", "open"))
    return dict(counted)


def still_open() -> Q:
    """A session its limits have not ended: not expired, used lately, begun not too long ago."""
    now = timezone.now()
    idle, oldest = (now - datetime.timedelta(minutes=settings.SESSION_IDLE_MINUTES),
                    now - datetime.timedelta(hours=settings.SESSION_MAX_HOURS))
    return (Q(expire_date__gt=now) & (Q(seen_at__isnull=True) | Q(seen_at__gt=idle))
            & (Q(started_at__isnull=True) | Q(started_at__gt=oldest)))


def end_sessions(actor: Actor, user: User, *, keep: str | None = None, session: str | None = None,
                 reason: EndReason = EndReason.ASKED) -> int:
    """End ``user``'s sessions: the one whose digest is ``session``, or all of them but the one whose
    key is ``keep`` (the session in use). Returns how many, recorded as ``user.sessions_end`` when any.

    Asked by a person (``EndReason.ASKED``), the actor needs ``MANAGE_SESSIONS`` on the account; the
    other reasons follow a change whose own entry point decided who may make it."""
    if reason == EndReason.ASKED:
        policy.require(actor, OrganisationRight.MANAGE_SESSIONS, user)
    sessions = AccountSession.objects.filter(user=user)
    if session is not None:
        sessions = sessions.filter(digest=session)
    if keep is not None:
        sessions = sessions.exclude(session_key=keep)
    with transaction.atomic():
        session_store.forget(list(sessions.values_list("session_key", flat=True)))
        ended, _ = sessions.delete()
        if ended:
            audit.record("user.sessions_end", obj=user, actor=actor, departement=policy.audit_actor(user)[1],
                         details={"nombre": ended, "motif": EndReason(reason).label})
    return ended
