"""Sealing: requests write their events unchained; one sealer at a time chains them in order.

Why: every page that shows personal data records a read, so the trail is written by almost every
request. Chaining at insert time needs the previous event's hash, hence one lock for everyone held
through the COMMIT: it serialised the product. Now a request only inserts its events (no lock, no
read of the chain), and a *seal* (``Seal``: rank and hash) is added afterwards by the sealer, in one
transaction that never waits (``pg_try_advisory_xact_lock``): after a commit, by
``manage.py seal_audit --every 1`` run as a service, and by ``verify_audit`` and
``audit_checkpoint`` before they read the head.

Sealing must never skip an event whose transaction commits late with a lower id. Each event holds
its inserting transaction's id (``Event.txid``); the sealer seals only events of transactions that
have ended, in (transaction, id) order. The *horizon* (``HORIZON``) is taken from the statement's
snapshot: every id below it belongs to a transaction that has ended, or that runs in another
database of the cluster (whose sessions never write here, and must not hold sealing back). Each
seal records the horizon it reached, so the next sealer looks only at events at or above it (an
index on ``txid``); the batches thus follow each other in (transaction, id) order. A transaction
that is the oldest of its database may seal its own events, as the tests' single transaction does;
the horizon it records then stays at its own id, for the events it may write later.

On SQLite a single writer holds the database's lock, so ids follow the commits: the events are
sealed after each commit, in id order.

A seal lost in a crash (the seal's commit does not wait for the disk) is made again, identically,
from the durable events: the order depends only on them.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Count, Min
from django.utils import timezone

from audit import chain
from audit.models import Event, Seal

# Any 64-bit constant: the key of the PostgreSQL advisory lock that one sealer at a time holds.
CHAIN_LOCK_KEY = 0x617564697400
BATCH = 5000
XID_SPACE = 2**32

# The horizon, in the 64-bit ids of pg_current_xact_id(): every id below it belongs to a transaction
# that has ended, or that runs in another database (whose sessions never write here). From the
# statement's snapshot: transactions from its xmax on had not ended; those of its running list count
# unless pg_stat_activity, read after the snapshot, shows them in another database. And the current
# transaction's own id when no other session of this database holds an older one (age() > 0).
HORIZON = """
WITH activity AS (
    SELECT backend_xid, datname = current_database() AS here FROM pg_stat_activity
    WHERE pid <> pg_backend_pid() AND backend_xid IS NOT NULL
)
SELECT least(pg_snapshot_xmax(s)::text::bigint,
             (SELECT min(x::text::bigint) FROM pg_snapshot_xip(s) AS x
              WHERE mod(x::text::bigint, %(space)s)::text::xid NOT IN (SELECT backend_xid FROM activity
                                                                   WHERE NOT here))),
       CASE WHEN NOT EXISTS (SELECT 1 FROM activity WHERE here AND age(backend_xid) > 0)
            THEN pg_current_xact_id_if_assigned()::text::bigint END
FROM (SELECT pg_current_snapshot() AS s) AS snapshot
"""

CANDIDATES = f"""
SELECT e.id, {chain.DIGEST_SQL}, e.txid
FROM audit_event e
WHERE e.txid >= %(since)s AND (e.txid < %(horizon)s OR e.txid = %(own)s)
  AND (e.txid, e.id) > (%(after_txid)s, %(after_id)s)
  AND NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.event_id = e.id)
ORDER BY e.txid, e.id
LIMIT %(batch)s
"""  # noqa: S608 (a constant of audit.chain)


@dataclass
class Head:
    seq: int = 0
    hash: str = chain.GENESIS
    event_id: int = 0
    horizon: int = 0


def head(using: str = DEFAULT_DB_ALIAS) -> Head:
    last = Seal.objects.using(using).order_by("-seq").values("seq", "hash", "event_id", "horizon").first()
    return Head(**{**last, "horizon": last["horizon"] or 0}) if last else Head()


def seal(using: str = DEFAULT_DB_ALIAS) -> int:
    """Seal every event that can be sealed now; how many. Returns 0 at once when another sealer works."""
    conn = connections[using]
    nested = conn.in_atomic_block
    with transaction.atomic(using=using):
        if conn.vendor != "postgresql":
            return _seal_in_id_order(using)
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
            if not cursor.fetchone()[0]:
                return 0
            if not nested:
                # A seal lost with the last instants before a crash is made again, the same: no fsync wait.
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # pg_stat_activity as of now, not cached
            cursor.execute(HORIZON, {"space": XID_SPACE})
            horizon, own = cursor.fetchone()
            last = head(using)
            since, recorded = last.horizon, min(horizon, own) if own is not None else horizon
            sealed, after = 0, (-1, 0)
            # By batches. ``since`` stays (the batch before may have ended inside a transaction), and
            # each batch starts after the last one sealed: the horizon is fixed, every transaction
            # below it has ended, so no event can appear behind it (a backlog is sealed in linear time).
            while True:
                cursor.execute(CANDIDATES, {"since": since, "horizon": horizon, "own": own, "batch": BATCH,
                                            "after_txid": after[0], "after_id": after[1]})
                found = cursor.fetchall()
                last = _append(last, [(event_id, digest) for event_id, digest, _ in found], recorded, using)
                sealed += len(found)
                if len(found) < BATCH:
                    return sealed
                after = (found[-1][2], found[-1][0])


def _seal_in_id_order(using: str) -> int:
    last = head(using)
    events = Event.objects.using(using).filter(pk__gt=last.event_id).order_by("pk").values("id", *chain.FIELDS)
    found = [(values["id"], chain.digest(values)) for values in events]
    _append(last, found, None, using)
    return len(found)


def _append(last: Head, found: list[tuple[int, str]], horizon: int | None, using: str) -> Head:
    seals = []
    for event_id, digest in found:
        last = Head(last.seq + 1, chain.chain(last.hash, digest), event_id, horizon or 0)
        seals.append(Seal(event_id=event_id, seq=last.seq, hash=last.hash, horizon=horizon))
    Seal.objects.using(using).bulk_create(seals)
    return last


_next_attempt = 0.0  # in this process, by time.monotonic()


def seal_after_commit(using: str = DEFAULT_DB_ALIAS) -> None:
    """Seal when the current transaction commits (at once outside a transaction). On PostgreSQL,
    only if no other sealer is at work, and at most once per ``AUDIT_SEAL_INTERVAL`` seconds in a
    process, so that under load one seal takes the events of many requests instead of each request
    paying for its own."""
    global _next_attempt
    if connections[using].vendor == "postgresql":
        now = time.monotonic()
        if now < _next_attempt:
            return
        _next_attempt = now + settings.AUDIT_SEAL_INTERVAL
    transaction.on_commit(lambda: seal(using), using=using, robust=True)


@dataclass
class Window:
    """What is written but not sealed yet: how many events, and since when."""

    count: int
    oldest: object = None

    @property
    def age_seconds(self) -> float:
        return (timezone.now() - self.oldest).total_seconds() if self.oldest else 0.0


def unsealed(using: str = DEFAULT_DB_ALIAS) -> Window:
    last = head(using)
    events = Event.objects.using(using).filter(seal__isnull=True)
    if connections[using].vendor == "postgresql":
        events = events.filter(txid__gte=last.horizon)
    else:
        events = events.filter(pk__gt=last.event_id)
    found = events.order_by().aggregate(count=Count("pk"), oldest=Min("time"))
    return Window(found["count"], found["oldest"])
