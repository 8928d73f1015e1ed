"""Recording events: ``record()`` writes one event at once, in the caller's transaction if any.

The event and the change it records commit or roll back together, savepoints included: an event
recorded in a block that rolls back goes with it. No lock is taken and the chain is not read: the
events are chained afterwards by the sealer (``audit.sealer``), once their transaction has
committed. Entry points therefore wrap a change and its events in ``transaction.atomic()``.

An entry point that records several events writes them in one INSERT with ``batched()``, opened just
inside its ``transaction.atomic()``: the events recorded in the block wait for its end and are then
written in the order they were recorded (ids follow the rows of a multi-row INSERT, so the sealer's
(transaction, id) order is the order of recording). An exception leaving ``batched()`` writes none of
them, and the transaction rolls back what was written. An event recorded in a savepoint that rolls
back inside the block is not written: each waiting event has a commit callback that does nothing, which
Django drops with the savepoint it was registered in, as it drops the changes made there.
"""

import contextvars
import functools
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeGuard

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Field, Model
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.module_loading import import_string

from audit import attestation, canonical, events, sealer
from audit.models import Event


class Actor(Protocol):
    """Who acts, as the trail sees them: a Django user, an anonymous visitor, the operator's command
    (``organisation.policy.Actor``, whose SYSTEM is no user). The trail knows nothing of the domain: it
    asks only whether the actor is signed in, and records a signed-in one by its id and name."""

    @property
    def is_authenticated(self) -> bool: ...


class SignedIn(Actor, Protocol):
    """A signed-in actor (a Django user): what the trail records of them."""

    @property
    def pk(self) -> int: ...

    def get_username(self) -> str: ...


def _signed_in(actor: Actor | None) -> TypeGuard[SignedIn]:
    # getattr, as before the types: an untyped caller may hand anything, and what has no such attribute is no user.
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


class RecordedDenial(PermissionDenied):
    """A refusal the trail records as ``access.denied``: who was refused which right, on what.

    The access policy raises its own subclass; the trail only needs these three attributes.
    """

    def __init__(self, user: Actor | None, action: str, target: object = None, message: str = "") -> None:
        self.user, self.action, self.target = user, action, target
        super().__init__(message)


@dataclass
class Context:
    """Who is acting, from where, within which user action (set by the middleware or a command)."""

    actor: Actor | None = None
    actor_label: str = ""
    ip: str | None = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)


_context: contextvars.ContextVar[Context | None] = contextvars.ContextVar("audit_context", default=None)


@contextmanager
def acting(actor: Actor | None = None, *, label: str = "", ip: str | None = None,
           request_id: str | None = None) -> Iterator[Context]:
    """Run a block on behalf of ``actor`` (a user, or None for the system with a ``label``)."""
    ctx = Context(actor=actor, actor_label=label, ip=ip, request_id=request_id or uuid.uuid4().hex)
    token = _context.set(ctx)
    try:
        yield ctx
    finally:
        _context.reset(token)


def current() -> Context:
    return _context.get() or Context(actor_label="système")


class _Mark:
    """A waiting event's witness (``batched``): a commit callback that does nothing. Django forgets it
    when a savepoint that was active when it was registered rolls back."""

    def __call__(self) -> None:
        pass


@dataclass
class _Batch:
    """The events of one ``batched()`` block waiting for its end, on ``using``, each with its mark."""

    using: str
    events: list[tuple[_Mark, dict[str, Any]]] = field(default_factory=list)


_batch: contextvars.ContextVar[_Batch | None] = contextvars.ContextVar("audit_batch", default=None)


@contextmanager
def batched(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Write the events recorded in this block in one INSERT at its end (see the module docstring).

    Opened inside the ``transaction.atomic()`` of the change: the events then commit or roll back
    with it. A block inside another ``batched()`` of the same database (an entry point called by
    another) adds to the outer one."""
    if not connections[using].in_atomic_block:
        raise TransactionManagementError("audit.batched() s'ouvre dans le transaction.atomic() du changement.")
    outer = _batch.get()
    if outer is not None and outer.using == using:
        yield
        return
    batch = _Batch(using)
    token = _batch.set(batch)
    try:
        yield
        _flush(batch)
    finally:
        _batch.reset(token)


def _flush(batch: _Batch) -> None:
    """Write the waiting events that no rolled-back savepoint took (their mark is still among the
    transaction's callbacks, as Django keeps them), unless the transaction is already bound to roll back."""
    connection = connections[batch.using]
    kept = {id(entry[1]) for entry in connection.run_on_commit}  # (savepoint ids, callback, robust)
    events = [event for mark, event in batch.events if id(mark) in kept]
    batch.events = []
    if events and not connection.needs_rollback:
        _insert(events, batch.using)
        sealer.seal_after_commit(batch.using)


def record(
    action: str,
    *,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    departement: str = "",
    details: dict[str, Any] | None = None,
    actor: Actor | None = None,
    using: str = DEFAULT_DB_ALIAS,
    proven: bool = False,
) -> None:
    """Record one event in the current transaction (see the module docstring); ``proven``: with the
    application's proof of it (``audit.attestation``), for the records of the trail's own checks."""
    if not events.is_registered(action):
        raise ImproperlyConfigured(f"Type d'événement non enregistré : « {action} » (audit.events.register).")
    ctx = current()
    acting_actor = actor if actor is not None else ctx.actor
    person = acting_actor if _signed_in(acting_actor) else None
    role, cell = _actor_role_and_cell(person) if person is not None else ("", "")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    ip, rejected_address = canonical.address(ctx.ip)
    details = dict(details or {})
    if rejected_address:
        details["adresse_refusée"] = rejected_address  # kept as text: it is no address
    event: dict[str, Any] = {
        "time": timezone.now(),
        "actor_id": person.pk if person is not None else None,
        "actor_label": canonical.text(person.get_username() if person is not None else ctx.actor_label),
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
    batch = _batch.get()
    if batch is not None and batch.using == using:
        mark = _Mark()
        transaction.on_commit(mark, using=using)
        batch.events.append((mark, event))
        return
    _insert([event], using)
    sealer.seal_after_commit(using)


def _actor_role_and_cell(actor: Actor) -> tuple[str, str]:
    """The actor's role and cellule as the domain sees them: ``settings.AUDIT_ACTOR`` names the
    function that tells (the trail itself knows nothing of roles), ("", "") when none is set."""
    provider = getattr(settings, "AUDIT_ACTOR", "")
    if not provider:
        return "", ""
    role_and_cell: Callable[[Actor], tuple[str, str]] = import_string(provider)
    return role_and_cell(actor)


def _insert(events: list[dict[str, Any]], using: str) -> None:
    """One INSERT of ``events``, in their order, by the connection's cursor: the hot path of every
    page, kept short."""
    conn = connections[using]
    fields, sql = _insert_statement(using, len(events))
    with conn.cursor() as cursor:
        cursor.execute(sql, [field.get_db_prep_save(event[field.attname], conn) for event in events
                             for field in fields])


@functools.lru_cache(maxsize=32)
def _insert_statement(using: str, rows: int) -> tuple[list[Field[Any, Any]], str]:
    """The columns the recorder writes, all but the id and the transaction's (the database's
    defaults), and the INSERT statement of ``rows`` events."""
    fields = [field for field in Event._meta.concrete_fields if field.attname not in ("id", "txid")]
    quote = connections[using].ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    row = f"({', '.join(['%s'] * len(fields))})"
    values = ", ".join([row] * rows)
    return fields, f"INSERT INTO {quote(Event._meta.db_table)} ({columns}) VALUES {values}"  # noqa: S608


def record_denied(exc: RecordedDenial, *, path: str = "") -> None:
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
        obj=target if isinstance(target, Model) else None,
        departement=departement,
        details=details,
        actor=exc.user,
    )
