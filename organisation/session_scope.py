"""The access policy's scope kept with the session: computed once, then reused by the session's
next requests as long as the user's memberships have not changed and the day is the same.

``PolicyBackend.get_user`` reads the user with the version of their memberships, in the query that
reads the user anyway: the id of the last change recorded in their history (a membership given, ended,
changed or deleted through its entry point writes one) and how many are active today (a row changed
without its history, by an update, is seen too when it ends one). The scope is kept in the session's
cache under the session's key, that version and the day: a membership ended is in force at the next
request, a new day recomputes what the dates open. An inspector's scope, which also follows their
mandates, is never kept.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import caches
from django.utils import timezone

from organisation import policy
from organisation.models import Role

KEEP_SECONDS = 3600  # at most an hour without use: the session's own limits end it sooner


def restore(user: User, session_key: str | None) -> None:
    """Put the scope kept for this session on ``user`` (the request's), or keep the one computed now."""
    if not session_key or not hasattr(user, "scope_change") or "_policy_scope" in user.__dict__:
        return
    cache = caches[settings.SESSION_CACHE_ALIAS]
    version = f"{user.scope_change}:{getattr(user, 'scope_active', None)}:{timezone.localdate().isoformat()}"
    key = f"policy-scope:{session_key}:{user.pk}:{version}"
    kept = cache.get(key)
    if isinstance(kept, policy.Scope):
        user.__dict__["_policy_scope"] = kept
        return
    scope = policy.scope(user)
    if Role.INSPECTOR not in scope.roles:
        cache.set(key, scope, KEEP_SECONDS)
