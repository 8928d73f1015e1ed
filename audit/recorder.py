"""Recording events: ``record()`` inside ``atomic()``, written at the very end of the transaction.

``record()`` only appends to a per-connection buffer; when the outermost ``audit.atomic()`` block
ends, ``_flush()`` inserts the buffered events with their canonical text. No lock is taken and the
chain is not read: the events are chained afterwards by the sealer (``audit.sealer``), after the
commit on PostgreSQL, inline on SQLite where a single writer holds the database's lock anyway.

``record()`` called outside ``audit.atomic()`` opens one around itself, so the event is written at
once (in the caller's transaction if there is one: the change and its event commit or fail together).
"""

import contextvars
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from audit import canonical, chain, events, sealer
from audit.models import Event


class RecordedDenial(PermissionDenied):
    """A refusal the trail records as ``access.denied``: who was refused which right, on what.

    The access policy raises its own subclass; the trail only needs these three attributes.
    """

    def __init__(self, user, action: str, target=None, message: str = "") -> None:
        self.user, self.action, self.target = user, action, target
        super().__init__(message)


@dataclass
class Context:
    """Who is acting, from where, within which user action (set by the middleware or a command)."""

    actor: object = None
    actor_label: str = ""
    ip: str | None = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)


_context: contextvars.ContextVar[Context | None] = contextvars.ContextVar("audit_context", default=None)


@contextmanager
def acting(actor=None, *, label: str = "", ip: str | None = None, request_id: str | None = None):
    """Run a block on behalf of ``actor`` (a user, or None for the system with a ``label``)."""
    ctx = Context(actor=actor, actor_label=label, ip=ip, request_id=request_id or uuid.uuid4().hex)
    token = _context.set(ctx)
    try:
        yield ctx
    finally:
        _context.reset(token)


def current() -> Context:
    return _context.get() or Context(actor_label="système")


class _Buffer:
    """Events waiting for the end of the outermost ``audit.atomic()`` on one connection.

    Each event comes with a marker registered by ``transaction.on_commit``: Django drops the
    callbacks of a savepoint that rolls back, so an event whose marker is gone at the end belonged
    to a plain ``transaction.atomic()`` block that rolled back (its exception caught), and goes with
    the changes it recorded. The markers themselves do nothing after the commit.
    """

    def __init__(self) -> None:
        self.depth = 0
        self.events: list[tuple[dict, Callable[[], None]]] = []

    def surviving(self, using: str) -> list[dict]:
        alive = {id(callback) for _, callback, _ in connections[using].run_on_commit}
        return [event for event, marker in self.events if id(marker) in alive]


def _buffer(using: str) -> _Buffer:
    conn = connections[using]
    if not hasattr(conn, "_audit_buffer"):
        conn._audit_buffer = _Buffer()
    return conn._audit_buffer


@contextmanager
def atomic(using: str = DEFAULT_DB_ALIAS):
    """``transaction.atomic()`` whose recorded events are chained and written as it ends."""
    buffer = _buffer(using)
    with transaction.atomic(using=using):
        mark = len(buffer.events)
        buffer.depth += 1
        try:
            yield
        except BaseException:
            del buffer.events[mark:]  # this block's events roll back with its changes
            raise
        finally:
            buffer.depth -= 1
        if buffer.depth == 0 and buffer.events:
            events, buffer.events = buffer.surviving(using), []
            if events:
                _flush(events, using)


def record(
    action: str,
    *,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
    departement: str = "",
    details: dict | None = None,
    actor=None,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Record one event in the current transaction (see the module docstring)."""
    if not events.is_registered(action):
        raise ImproperlyConfigured(f"Type d'événement non enregistré : « {action} » (audit.events.register).")
    ctx = current()
    actor = actor if actor is not None else ctx.actor
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    role, cell = _actor_role_and_cell(actor) if actor is not None else ("", "")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    ip, rejected_address = canonical.address(ctx.ip)
    details = dict(details or {})
    if rejected_address:
        details["adresse_refusée"] = rejected_address  # kept as text: it is no address
    event = {
        "time": timezone.now(),
        "actor_id": actor.pk if actor is not None else None,
        "actor_label": canonical.text(actor.get_username() if actor is not None else ctx.actor_label),
        "actor_role": role,
        "actor_cell": cell,
        "ip": ip,
        "request_id": ctx.request_id,
        "action": action,
        "object_type": object_type,
        "object_id": canonical.text(str(object_id)) if object_id != "" else "",
        "departement": departement,
        "details": canonical.details(details),
    }
    buffer = _buffer(using)
    if not buffer.depth:
        with atomic(using):
            _buffer_event(buffer, event, using)
        return
    _buffer_event(buffer, event, using)


def _buffer_event(buffer: _Buffer, event: dict, using: str) -> None:
    def marker() -> None:
        """Nothing to do once committed: it only tells whether its savepoint survived."""

    transaction.on_commit(marker, using=using)
    buffer.events.append((event, marker))


def _actor_role_and_cell(actor) -> tuple[str, str]:
    """The actor's role and cellule as the domain sees them: ``settings.AUDIT_ACTOR`` names the
    function that tells (the trail itself knows nothing of roles), ("", "") when none is set."""
    provider = getattr(settings, "AUDIT_ACTOR", "")
    return import_string(provider)(actor) if provider else ("", "")


def _flush(events: list[dict], using: str) -> None:
    Event.objects.using(using).bulk_create([Event(canonical=chain.canonical(values), **values) for values in events])
    if connections[using].vendor == "postgresql":
        sealer.seal_after_commit(using)
    else:
        sealer.seal(using)


def record_denied(exc, *, path: str = "") -> None:
    """Record a refusal (a ``RecordedDenial``), after its rollback."""
    target = exc.target
    departement = ""
    if target is not None:
        departement = getattr(getattr(target, "departement", None), "code", "") or getattr(target, "code", "")
    details = {"action": str(exc.action)}
    if path:
        details["path"] = path
    record(
        "access.denied",
        obj=target if hasattr(target, "_meta") else None,
        departement=departement,
        details=details,
        actor=exc.user,
    )
