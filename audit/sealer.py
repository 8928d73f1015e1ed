"""Sealing: requests write their events unchained; one sealer at a time chains them in order.

Why: every page that shows personal data records a read, so the trail is written by almost every
request. Chaining at insert time needs the previous event's hash, hence one lock for everyone held
through the COMMIT: it serialised the product. Now a request only inserts its events (no lock, no
read of the chain), and a *seal* (``Seal``: rank and hash) is added afterwards by the sealer, in one
transaction that never waits: after a commit, by ``manage.py seal_audit --every 1`` run as a
service, and by ``verify_audit`` and ``audit_checkpoint`` before they read the head.

Sealing must never skip an event whose transaction commits late with a lower id. Each event holds
its inserting transaction's id (``Event.txid``, written by the database whatever the inserter gave);
the sealer seals only events of transactions that have ended, in (transaction, id) order. The
*horizon* is taken from the statement's snapshot: every id below it belongs to a transaction that
has ended, or that runs in another database of the cluster (whose sessions never write here, and
must not hold sealing back). Each seal records the horizon it reached, so the next sealer looks only
at events at or above it (an index on ``txid``); the batches thus follow each other in (transaction,
id) order. A transaction that is the oldest of its database may seal its own events, as the tests'
single transaction does; the horizon it records then stays at its own id, for the events it may
write later.

On PostgreSQL the sealer is the database's function ``audit_seal_events()``, owned by the tables'
owner (``SECURITY DEFINER``) and written after each ``migrate`` (``install``). The application's role
may call it, but writes no seal itself and has no right on the sealers' turn, the one row the
function locks (``FOR UPDATE SKIP LOCKED``: a second sealer returns at once): so nothing that role
inserts or locks can stop the sealing or bend the chain (docs/security.md), as a forged seal or an
advisory lock on the sealer's key could.

On SQLite a single writer holds the database's lock, so ids follow the commits: the events are
sealed after each commit, in id order.

A seal lost in a crash (the seal's commit does not wait for the disk) is made again, identically,
from the durable events: the order depends only on them.
"""

import datetime
import time
from dataclasses import dataclass
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, Min
from django.utils import timezone

from audit import chain, tree
from audit.models import Event, Seal

BATCH = 5000
# The one row whose lock is the sealer's turn (audit/migrations/0006); the application's role has no right on it.
TURN_TABLE = "audit_sealer_turn"

# The horizon (``horizon``), in the 64-bit ids of pg_current_xact_id(): every id below it belongs to a
# transaction that has ended, or that runs in another database (whose sessions never write here). From
# the statement's snapshot: transactions from its xmax on had not ended; those of its running list count
# unless pg_stat_activity, read after the snapshot, shows them in another database (2^32: an xid8 seen
# as an xid). And the current transaction's own id (``own``) when no other session of this database
# holds an older one (age() > 0). Then each batch, in (transaction, id) order after the last one sealed:
# the horizon is fixed and every transaction below it has ended, so no event can appear behind a batch
# (a backlog is sealed in linear time), and ``since`` stays, the batch before may have ended inside a
# transaction. The search path puts the session's temporary tables last: none stands for the trail.
SEAL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_seal_events(batch integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    horizon bigint;
    own bigint;
    recorded bigint;
    since bigint;
    last_seq bigint;
    last_hash text;
    after_txid bigint := -1;
    after_id bigint := 0;
    sealed bigint := 0;
    ids bigint[];
    ranks bigint[];
    hashes text[];
    candidate record;
BEGIN
    PERFORM 1 FROM {TURN_TABLE} FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN 0;  -- another sealer works: what it leaves, the next one seals
    END IF;
    PERFORM pg_stat_clear_snapshot();  -- pg_stat_activity as of now, not as cached by this transaction
    WITH activity AS (
        SELECT backend_xid, datname = current_database() AS here FROM pg_stat_activity
        WHERE pid <> pg_backend_pid() AND backend_xid IS NOT NULL
    )
    SELECT least(pg_snapshot_xmax(snap)::text::bigint,
                 (SELECT min(x::text::bigint) FROM pg_snapshot_xip(snap) AS x
                  WHERE mod(x::text::bigint, 4294967296)::text::xid NOT IN (SELECT backend_xid FROM activity
                                                                            WHERE NOT here))),
           CASE WHEN NOT EXISTS (SELECT 1 FROM activity WHERE here AND age(backend_xid) > 0)
                THEN pg_current_xact_id_if_assigned()::text::bigint END
    INTO horizon, own
    FROM (SELECT pg_current_snapshot() AS snap) AS snapshot;
    recorded := CASE WHEN own IS NULL THEN horizon ELSE least(horizon, own) END;
    SELECT s.seq, s.hash, coalesce(s.horizon, 0) INTO last_seq, last_hash, since
    FROM audit_seal s ORDER BY s.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        last_seq := 0; last_hash := '{chain.GENESIS}'; since := 0;
    END IF;
    -- The batches start after (since - 1, the largest id), i.e. at ``since``, in the row comparison alone:
    -- the index scan is positioned by it. Beside a ``txid >= since`` that btree does not merge with it, the
    -- first batch walked the whole index up to ``since`` (18,831 pages, 250 ms at 4.9 million events, in
    -- one request a second); now it reads a second's events.
    after_txid := since - 1;
    after_id := 9223372036854775807;
    LOOP
        ids := '{{}}'; ranks := '{{}}'; hashes := '{{}}';
        FOR candidate IN
            SELECT e.id, {chain.DIGEST_SQL} AS digest, e.txid
            FROM audit_event e
            WHERE (e.txid < horizon OR e.txid = own)
              AND (e.txid, e.id) > (after_txid, after_id)
              AND NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.event_id = e.id)
            ORDER BY e.txid, e.id
            LIMIT batch
        LOOP
            last_seq := last_seq + 1;
            last_hash := encode(sha256(convert_to(last_hash || E'\\n' || candidate.digest, 'UTF8')), 'hex');
            ids := ids || candidate.id;
            ranks := ranks || last_seq;
            hashes := hashes || last_hash;
            after_txid := candidate.txid;
            after_id := candidate.id;
        END LOOP;
        INSERT INTO audit_seal (event_id, seq, hash, horizon)
        SELECT u.event_id, u.seq, u.hash, recorded FROM unnest(ids, ranks, hashes) AS u(event_id, seq, hash);
        sealed := sealed + cardinality(ids);
        IF cardinality(ids) < batch THEN
            PERFORM audit_tree_extend();
            RETURN sealed;
        END IF;
    END LOOP;
END;
$$
"""  # noqa: S608 (constants of audit.chain)

# audit.tree's extend(), in the database: the leaves of the seals after the tree's last one, in rank
# order up to a missing rank, each completing the subtrees that end with it. Called by the sealing
# function, under its turn; the application's role has no right on it nor on the nodes.
TREE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_tree_extend() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    size bigint;
    position bigint;
    lvl integer;
    node bytea;
    added bigint := 0;
    candidate record;
BEGIN
    SELECT coalesce(max(t.index) + 1, 0) INTO size FROM audit_treenode t WHERE t.level = 0;
    FOR candidate IN
        SELECT s.seq, decode({chain.DIGEST_SQL}, 'hex') AS digest
        FROM audit_seal s JOIN audit_event e ON e.id = s.event_id
        WHERE s.seq > size ORDER BY s.seq
    LOOP
        EXIT WHEN candidate.seq <> size + added + 1;  -- a missing rank: the tree waits (verify_audit says it)
        position := size + added;
        lvl := 0;
        node := sha256('\\x00'::bytea || candidate.digest);
        INSERT INTO audit_treenode (level, index, hash) VALUES (0, position, node);
        WHILE position % 2 = 1 LOOP
            node := sha256('\\x01'::bytea
                           || (SELECT t.hash FROM audit_treenode t WHERE t.level = lvl AND t.index = position - 1)
                           || node);
            position := position / 2;
            lvl := lvl + 1;
            INSERT INTO audit_treenode (level, index, hash) VALUES (lvl, position, node);
        END LOOP;
        added := added + 1;
    END LOOP;
    RETURN added;
END;
$$
"""  # noqa: S608 (constants of audit.chain)


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
            if not nested:
                # A seal lost with the last instants before a crash is made again, the same: no fsync wait.
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            cursor.execute("SELECT audit_seal_events(%s)", [BATCH])
            sealed: int = cursor.fetchone()[0]
            return sealed


def _seal_in_id_order(using: str) -> int:
    last = head(using)
    events = Event.objects.using(using).filter(pk__gt=last.event_id).order_by("pk").values("id", *chain.FIELDS)
    seals, seq, previous = [], last.seq, last.hash
    for values in events:
        seq, previous = seq + 1, chain.chain(previous, chain.digest(values))
        seals.append(Seal(event_id=values["id"], seq=seq, hash=previous))
    Seal.objects.using(using).bulk_create(seals)
    tree.extend(using)
    return len(seals)


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
    oldest: datetime.datetime | None = None

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


def install(connection: BaseDatabaseWrapper) -> None:
    """Write the sealing function, callable by the application's role only; idempotent."""
    role = settings.DATABASE_RUNTIME_ROLE
    with connection.cursor() as cursor:
        cursor.execute(TREE_FUNCTION)
        cursor.execute("REVOKE ALL ON FUNCTION audit_tree_extend() FROM PUBLIC")
        cursor.execute(SEAL_FUNCTION)
        cursor.execute("REVOKE ALL ON FUNCTION audit_seal_events(integer) FROM PUBLIC")
        if role and role != connection.settings_dict["USER"]:
            cursor.execute(f"GRANT EXECUTE ON FUNCTION audit_seal_events(integer) TO {connection.ops.quote_name(role)}")


def after_migrate(sender: AppConfig, using: str, **kwargs: Any) -> None:
    """After ``migrate`` on PostgreSQL, by the tables' owner: the sealing function, as the code has it."""
    connection = connections[using]
    if sender.label == "audit" and connection.vendor == "postgresql":
        install(connection)
