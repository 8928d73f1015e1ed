"""Verifying the trail: every seal's link, from every event's columns; then every node of the tree.

On PostgreSQL the work is done by the database, one pass per range of ranks, the ranges checked in
parallel (one connection each) when no transaction is open: for each seal, the rank follows the
previous one and ``hash = SHA-256(previous hash, digest)``, the digest computed from the event's
columns by ``audit.chain.DIGEST_BYTES_SQL`` with the database's own ``sha256()``, and the tree's
leaf at that rank is the leaf of the same digest. Then each level of the tree's parents is checked
there too, folded into one hash (``LEVEL_HOLDS``); only a level that does not hold is read by
``audit.tree`` to name its node. Only the first problem of each kind comes back to Python. Elsewhere
(SQLite, or inside a transaction that other connections cannot see) the same checks run in Python
(``audit.chain.verify``, ``audit.tree.check``) or on one connection.

Each link is checked against the stored hash of the seal before it, so checking the links range by
range in any order proves the same as re-computing the chain from its start. Once events are
archived (``audit.archives``), the chain starts after them, from the last archived hash.
"""

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.db import connection, connections, transaction
from django.db.models import Max, Min, Q

from audit import chain, sealer, tree
from audit.models import Event, Seal, TrailArchive, TreeNode

T = TypeVar("T")
WORK_MEM = "128MB"

# One pass over a range of ranks, each event's digest computed once from its columns (``audit.chain``):
# for each seal, whether its rank follows the previous one, its event is there, its hash is the link
# of the previous hash and of that digest, and (``tree``) the tree's leaf at its rank is there and is
# the leaf of that digest. Only the first rank of each kind of problem comes back to Python.
RANGE_CHECK = f"""
SELECT min(seq) FILTER (WHERE prev_seq <> seq - 1),
       min(seq) FILTER (WHERE digest IS NULL),
       min(seq) FILTER (WHERE hash <> encode(sha256(convert_to(prev_hash || E'\\n' || encode(digest, 'hex'), 'UTF8')),
                                             'hex')),
       min(seq) FILTER (WHERE %(tree)s AND leaf IS NULL),
       min(seq) FILTER (WHERE leaf <> sha256('\\x00'::bytea || digest))
FROM (SELECT links.seq, links.prev_seq, links.hash, links.prev_hash, {chain.DIGEST_BYTES_SQL} AS digest, t.hash AS leaf
      FROM (SELECT seq, event_id, hash, lag(seq, 1, %(prev_seq)s) OVER w AS prev_seq,
                   lag(hash, 1, %(prev_hash)s) OVER w AS prev_hash
            FROM audit_seal WHERE seq BETWEEN %(first)s AND %(last)s WINDOW w AS (ORDER BY seq)) AS links
      LEFT JOIN (SELECT * FROM audit_event WHERE id BETWEEN %(first_id)s AND %(last_id)s) AS e ON e.id = links.event_id
      LEFT JOIN (SELECT index, hash FROM audit_treenode
                 WHERE %(tree)s AND level = 0 AND index BETWEEN %(first)s - 1 AND %(last)s - 1) AS t
                ON t.index = links.seq - 1
      OFFSET 0) AS checked
"""  # noqa: S608 (a constant of audit.chain)

# Whether the first ``count`` nodes of a level are the parents of the level below, each pair of
# children hashed in the database: the stored level and the computed one, each folded into one hash
# in index order (read in the index's order, never sorted). A level that differs is read again by
# ``audit.tree`` to name its first wrong node.
LEVEL_HOLDS = """
SELECT (SELECT sha256(string_agg(stored.hash, ''::bytea)) FROM (
            SELECT hash FROM audit_treenode WHERE level = %(level)s AND index < %(count)s ORDER BY index) AS stored)
     = (SELECT sha256(string_agg(computed.parent, ''::bytea)) FROM (
            SELECT index,
                   CASE WHEN index %% 2 = 1 THEN sha256('\\x01'::bytea || lag(hash) OVER (ORDER BY index) || hash) END
                       AS parent
            FROM audit_treenode WHERE level = %(level)s - 1 AND index < 2 * %(count)s ORDER BY index) AS computed
        WHERE computed.index %% 2 = 1)
"""


def verify(start_seq: int = 1, previous_seq: int = 0, previous_hash: str = chain.GENESIS, *,
           strays: bool = True) -> chain.Verification:
    """Seal what can be, then verify the chain from ``start_seq``, naming the first broken link; and,
    with ``strays``, that no event older than the last seal's horizon was left out of the chain (this
    counts every event: a check bounded to the last ranks leaves it out). From the first kept rank,
    the whole tree too, against the events the chain verifies."""
    sealer.seal()
    last = sealer.head()
    archived, archived_hash = TrailArchive.boundary()
    if start_seq <= archived:  # the archived events are gone: the chain links on from the last one's hash
        start_seq, previous_seq, previous_hash = archived + 1, archived, archived_hash
    whole = start_seq == archived + 1
    leaf: tree.Mismatch | None = None
    if connection.vendor == "postgresql":
        result, leaf = _verify_in_database(start_seq, last.seq, previous_seq, previous_hash, whole)
    else:
        result = chain.verify(chain.rows(Seal.objects.filter(seq__gte=start_seq)), previous_seq, previous_hash)
    if result.ok and strays:
        stray = _stray_event(last, start_seq)
        if stray is not None:
            result.broken = chain.Break(stray, 0, "événement jamais scellé, antérieur au dernier scellement "
                                                  "(écrit hors de l'enregistreur, ou scellement supprimé)")
    if result.ok and whole:  # the whole tree, against the events the chain has just verified
        if connection.vendor == "postgresql":
            mismatch = leaf or tree.check_parents(last.seq, levels=_levels_not_holding(last.seq))
        else:
            mismatch = tree.check(last.seq, start=archived)
        if mismatch is not None:
            first = (mismatch.index << mismatch.level) + 1
            event = Seal.objects.filter(seq=first).values_list("event_id", flat=True).first() or 0
            result.broken = chain.Break(event, first, str(mismatch))
    return result


def _verify_in_database(start_seq: int, last_seq: int, previous_seq: int, previous_hash: str,
                        leaves: bool) -> tuple[chain.Verification, tree.Mismatch | None]:
    """The chain's verification from ``start_seq``, and (``leaves``) the first leaf of the tree that
    does not hold, by ranges checked in parallel."""
    if last_seq < start_seq:
        return chain.Verification(0, previous_seq, previous_hash), None
    size = -(-(last_seq - start_seq + 1) // _workers())
    ranges = [(first, min(first + size - 1, last_seq)) for first in range(start_seq, last_seq + 1, size)]
    starts = [(previous_seq, previous_hash)] + [_seal_before(first) for first, _ in ranges[1:]]
    jobs = [(first, last, *start, leaves) for (first, last), start in zip(ranges, starts, strict=True)]
    found = _in_parallel(_range_problems, jobs)
    broken = min((problem[0] for problem in found if problem[0] is not None), default=None)
    leaf = min((problem[1] for problem in found if problem[1] is not None), default=None)
    if broken is None:
        last_hash = Seal.objects.filter(seq=last_seq).values_list("hash", flat=True).get()
        return chain.Verification(last_seq - start_seq + 1, last_seq, last_hash), _leaf(leaf, last_seq)
    seq, _, kind, job_previous = broken
    event = Seal.objects.filter(seq=seq).values_list("event_id", flat=True).get()
    before = _seal_before(seq)
    if kind == "gap":
        reason = chain.gap(max(before[0], job_previous), seq)
    elif kind == "missing":
        reason = "événement supprimé, son scellement demeure"
    else:
        reason = "contenu modifié : l'empreinte recalculée ne correspond plus"
    return chain.Verification(max(seq - start_seq, 0), *before, broken=chain.Break(event, seq, reason)), None


def _range_problems(first: int, last: int, prev_seq: int, prev_hash: str,
                    leaves: bool) -> tuple[tuple[int, int, str, int] | None, tuple[int, str] | None]:
    """The range's first broken link (rank, kind, the rank before the range), and first wrong leaf."""
    ids = Seal.objects.filter(seq__range=(first, last)).aggregate(first=Min("event_id"), last=Max("event_id"))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")  # the joins' hashes in memory, not in batches on disk
        cursor.execute(RANGE_CHECK, {"first": first, "last": last, "prev_seq": prev_seq, "prev_hash": prev_hash,
                                     "tree": leaves, "first_id": ids["first"], "last_id": ids["last"]})
        gap, missing, changed, leaf_absent, leaf_changed = cursor.fetchone()
    links = [(seq, order, kind, prev_seq) for order, (seq, kind) in enumerate(
        ((gap, "gap"), (missing, "missing"), (changed, "changed"))) if seq is not None]  # at one rank, in this order
    wrong = [(seq, kind) for seq, kind in ((leaf_absent, "absent"), (leaf_changed, "changed")) if seq is not None]
    return min(links, default=None), min(wrong, default=None)


def _leaf(found: tuple[int, str] | None, sealed: int) -> tree.Mismatch | None:
    if found is None:
        return None
    seq, kind = found
    if kind == "changed":
        return tree.Mismatch(0, seq - 1, tree.LEAF_CHANGED)
    if TreeNode.objects.filter(level=0, index__gte=seq).exists():
        return tree.Mismatch(0, seq - 1, tree.LEAF_ABSENT)
    return tree.stopped(seq - 1, sealed)


def _levels_not_holding(sealed: int) -> Callable[[list[int]], set[int]]:
    """The levels of the tree (above the leaves) whose nodes the database finds different from the
    parents of the level below: the first level in one job, the others in another (as many nodes)."""
    def levels(numbers: list[int]) -> set[int]:
        jobs = [numbers[:1], numbers[1:]] if len(numbers) > 1 else [numbers]
        return {level for found in _in_parallel(_levels_differing, [(job, sealed) for job in jobs])
                for level in found}
    return levels


def _levels_differing(levels: list[int], sealed: int) -> list[int]:
    with connection.cursor() as cursor:
        differing = []
        for level in levels:
            cursor.execute(LEVEL_HOLDS, {"level": level, "count": sealed >> level})
            if not cursor.fetchone()[0]:
                differing.append(level)
    return differing


def _workers() -> int:
    return max(1, min(8, os.cpu_count() or 1)) if not connection.in_atomic_block else 1


def _in_parallel(function: Callable[..., T], jobs: list[tuple]) -> list[T]:
    """``function`` on each job, on a connection of its own when no transaction is open (other
    connections would not see an open transaction's rows); else one after the other."""
    if connection.in_atomic_block or len(jobs) < 2:
        return [function(*job) for job in jobs]

    def on_own_connection(job: tuple) -> T:
        try:
            return function(*job)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(on_own_connection, jobs))


def _seal_before(seq: int) -> tuple[int, str]:
    """The rank and hash of the last seal before ``seq`` (a deleted one leaves a gap, found later)."""
    found = Seal.objects.filter(seq__lt=seq).order_by("-seq").values_list("seq", "hash").first()
    return found or (0, chain.GENESIS)


def _stray_event(last: sealer.Head, start_seq: int) -> int | None:
    """An event older than the last seal's horizon that no seal covers: written around the recorder
    (without its transaction's id, or with an old one) or whose seal was deleted. The events and
    the seals are counted first (index scans); the event is looked for only when the counts differ.
    From a later rank on (PostgreSQL), only the events of transactions from the horizon of the seal
    before it are looked at (every older one was sealed by then), so that a check from the last
    checkpoint costs what was written since."""
    events = Event.objects.all()
    if connection.vendor == "postgresql":
        since = Seal.objects.filter(seq=start_seq - 1).values_list("horizon", flat=True).first()
        if since:
            return (events.filter(Q(txid__gte=since, txid__lt=last.horizon) | Q(txid__isnull=True), seal__isnull=True)
                    .order_by("pk").values_list("pk", flat=True).first())
        older = events.filter(Q(txid__lt=last.horizon) | Q(txid__isnull=True))
        sealed = Seal.objects.count() - Seal.objects.filter(event__txid__gte=last.horizon).count()
    else:
        older, sealed = events.filter(pk__lte=last.event_id), Seal.objects.count()
    if older.count() == sealed:
        return None
    return older.filter(seal__isnull=True).order_by("pk").values_list("pk", flat=True).first()
