"""The session engine (``SESSION_ENGINE``): Django's database store, whose rows also say whose
session it is, since when, its last activity, the browser and the address it was opened from
(``organisation.models.AccountSession``), so that sessions can be listed and ended per person.

The session's own data carries these values (set at the login and, for the last activity, by
``project.middleware.SessionLimitsMiddleware``); each save copies them into the row's columns.

Each session is also kept in the cache the processes share (``cached_db``, ``SESSION_CACHE_DIR``): a
request whose session did not change reads no row. Whatever deletes rows without this store (ending a
person's sessions, ``organisation.sessions``) deletes their copies too (``forget``), at once and again
once its transaction commits, so that an ended session is refused at its next request.
"""

import datetime
import hashlib
from collections.abc import Iterable

from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDatabaseStore
from django.core.cache import caches
from django.db import transaction

# Keys of the session's data.
STARTED, SEEN = "session_started", "session_seen"  # seconds since the epoch
DEVICE, ADDRESS = "session_device", "session_address"

# What a person recognises a session by, from the User-Agent header: a few known names, never the
# header's own text (which the client writes).
BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
            ("Safari/", "Safari"))
SYSTEMS = (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"),
           ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def device(user_agent: str) -> str:
    """"Firefox sous Windows": the browser and the system, in words the product chose."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), "Navigateur inconnu")
    system = next((name for mark, name in SYSTEMS if mark in user_agent), "système inconnu")
    return f"{browser} sous {system}"


def digest(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()


def _moment(seconds) -> datetime.datetime | None:
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC) if isinstance(seconds, int | float) else None


def forget(session_keys: Iterable[str]) -> None:
    """The cached copies of sessions whose rows are deleted: now, and once the deletion commits (a
    request reading the row meanwhile cannot keep a copy of it)."""
    keys = [SessionStore.cache_key_prefix + key for key in session_keys]
    if keys:
        cache = caches[settings.SESSION_CACHE_ALIAS]
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


class SessionStore(CachedDatabaseStore):
    @classmethod
    def get_model_class(cls):
        return apps.get_model("organisation", "AccountSession")  # by name: the model names this store too

    def create_model_instance(self, data):
        row = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        row.user_id = int(user_id) if str(user_id or "").isdigit() else None
        row.digest = digest(row.session_key)
        row.started_at, row.seen_at = _moment(data.get(STARTED)), _moment(data.get(SEEN))
        row.device, row.address = str(data.get(DEVICE, ""))[:64], data.get(ADDRESS) or None
        return row
