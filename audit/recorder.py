"""Recording events: ``record()`` writes one event at once, in the caller's transaction if any.

The event and the change it records commit or roll back together, savepoints included: an event
recorded in a block that rolls back goes with it. No lock is taken and the chain is not read: the
events are chained afterwards by the sealer (``audit.sealer``), once their transaction has
committed. Entry points therefore wrap a change and its events in ``transaction.atomic()``.
"""

import contextvars
import functools
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.module_loading import import_string

from audit import attestation, canonical, events, sealer
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
    proven: bool = False,
) -> None:
    """Record one event in the current transaction (see the module docstring); ``proven``: with the
    application's proof of it (``audit.attestation``), for the records of the trail's own checks."""
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
    if proven:
        event["details"] = attestation.prove(event)
    _insert(event, using)
    sealer.seal_after_commit(using)


def _actor_role_and_cell(actor) -> tuple[str, str]:
    """The actor's role and cellule as the domain sees them: ``settings.AUDIT_ACTOR`` names the
    function that tells (the trail itself knows nothing of roles), ("", "") when none is set."""
    provider = getattr(settings, "AUDIT_ACTOR", "")
    return import_string(provider)(actor) if provider else ("", "")


def _insert(event: dict, using: str) -> None:
    """One INSERT, by the connection's cursor: the hot path of every page, kept short."""
    conn = connections[using]
    fields, sql = _insert_statement(using)
    with conn.cursor() as cursor:
        cursor.execute(sql, [field.get_db_prep_save(event[field.attname], conn) for field in fields])


@functools.cache
def _insert_statement(using: str) -> tuple[list, str]:
    """The columns the recorder writes, all but the id and the transaction's (the database's
    defaults), and the INSERT statement."""
    fields = [field for field in Event._meta.concrete_fields if field.attname not in ("id", "txid")]
    quote = connections[using].ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return fields, f"INSERT INTO {quote(Event._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608


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
