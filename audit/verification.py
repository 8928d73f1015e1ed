"""Verifying the trail: every seal's link, from every event's columns; then every node of the tree.

On PostgreSQL the work is done by the database, one pass per range of ranks, the ranges checked in
parallel (one connection each) when no transaction is open: for each seal, the rank follows the
previous one and ``hash = SHA-256(previous hash, digest)``, the digest computed from the event's
columns by ``audit.chain.DIGEST_SQL`` with the database's own ``sha256()``. Only the first problem
of each range comes back to Python. Elsewhere (SQLite, or inside a transaction that other
connections cannot see) the same checks run in Python (``audit.chain.verify``) or on one connection.

Each link is checked against the stored hash of the seal before it, so checking the links range by
range in any order proves the same as re-computing the chain from its start. Once events are
archived (``audit.archives``), the chain starts after them, from the last archived hash.
"""

import os
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, connections
from django.db.models import Q

from audit import chain, sealer, tree
from audit.models import Event, Seal, TrailArchive

# The first seal of a range whose rank does not follow the previous one, whose event is gone, or whose
# hash is not the link of the previous hash and of its event's digest, re-computed from the columns.
FIRST_PROBLEM = f"""
SELECT seq, event_id, prev_seq, problem FROM (
    SELECT links.seq, links.event_id, links.prev_seq,
           CASE WHEN e.id IS NULL THEN 'missing'
                WHEN links.hash <> encode(sha256(convert_to(links.prev_hash || E'\\n' || {chain.DIGEST_SQL}, 'UTF8')),
                                          'hex') THEN 'changed'
           END AS problem
    FROM (SELECT seq, event_id, hash, lag(seq, 1, %(prev_seq)s) OVER w AS prev_seq,
                 lag(hash, 1, %(prev_hash)s) OVER w AS prev_hash
          FROM audit_seal WHERE seq BETWEEN %(first)s AND %(last)s WINDOW w AS (ORDER BY seq)) AS links
    LEFT JOIN audit_event e ON e.id = links.event_id
) AS checked
WHERE prev_seq <> seq - 1 OR problem IS NOT NULL
ORDER BY seq LIMIT 1
"""  # noqa: S608 (a constant of audit.chain)


def verify(start_seq: int = 1, previous_seq: int = 0, previous_hash: str = chain.GENESIS, *,
           strays: bool = True) -> chain.Verification:
    """Seal what can be, then verify the chain from ``start_seq``, naming the first broken link; and,
    with ``strays``, that no event older than the last seal's horizon was left out of the chain (this
    counts every event: a check bounded to the last ranks leaves it out)."""
    sealer.seal()
    last = sealer.head()
    archived, archived_hash = TrailArchive.boundary()
    if start_seq <= archived:  # the archived events are gone: the chain links on from the last one's hash
        start_seq, previous_seq, previous_hash = archived + 1, archived, archived_hash
    if connection.vendor == "postgresql":
        result = _verify_in_database(start_seq, last.seq, previous_seq, previous_hash)
    else:
        result = chain.verify(chain.rows(Seal.objects.filter(seq__gte=start_seq)), previous_seq, previous_hash)
    if result.ok and strays:
        stray = _stray_event(last)
        if stray is not None:
            result.broken = chain.Break(stray, 0, "événement jamais scellé, antérieur au dernier scellement "
                                                  "(écrit hors de l'enregistreur, ou scellement supprimé)")
    if result.ok and start_seq == archived + 1:  # the whole tree, against the events the chain has just verified
        mismatch = tree.check(last.seq, start=archived)
        if mismatch is not None:
            first = (mismatch.index << mismatch.level) + 1
            event = Seal.objects.filter(seq=first).values_list("event_id", flat=True).first() or 0
            result.broken = chain.Break(event, first, str(mismatch))
    return result


def _verify_in_database(start_seq: int, last_seq: int, previous_seq: int, previous_hash: str) -> chain.Verification:
    if last_seq < start_seq:
        return chain.Verification(0, previous_seq, previous_hash)
    parallel = not connection.in_atomic_block  # other connections would not see an open transaction's rows
    workers = max(1, min(8, os.cpu_count() or 1)) if parallel else 1
    size = -(-(last_seq - start_seq + 1) // workers)
    ranges = [(first, min(first + size - 1, last_seq)) for first in range(start_seq, last_seq + 1, size)]
    starts = [(previous_seq, previous_hash)] + [_seal_before(first) for first, _ in ranges[1:]]
    jobs = [(first, last, *start) for (first, last), start in zip(ranges, starts, strict=True)]
    if parallel and len(jobs) > 1:
        with ThreadPoolExecutor(len(jobs)) as pool:
            problems = list(pool.map(_first_problem_on_own_connection, jobs))
    else:
        problems = [_first_problem(*job) for job in jobs]
    broken = next((problem for problem in problems if problem is not None), None)
    if broken is None:
        last_hash = Seal.objects.filter(seq=last_seq).values_list("hash", flat=True).get()
        return chain.Verification(last_seq - start_seq + 1, last_seq, last_hash)
    before = _seal_before(broken.seq)
    return chain.Verification(max(broken.seq - start_seq, 0), *before, broken=broken)


def _seal_before(seq: int) -> tuple[int, str]:
    """The rank and hash of the last seal before ``seq`` (a deleted one leaves a gap, found later)."""
    found = Seal.objects.filter(seq__lt=seq).order_by("-seq").values_list("seq", "hash").first()
    return found or (0, chain.GENESIS)


def _first_problem_on_own_connection(job: tuple[int, int, int, str]) -> chain.Break | None:
    try:
        return _first_problem(*job)
    finally:
        connections.close_all()


def _first_problem(first: int, last: int, prev_seq: int, prev_hash: str) -> chain.Break | None:
    with connection.cursor() as cursor:
        cursor.execute(FIRST_PROBLEM, {"first": first, "last": last, "prev_seq": prev_seq, "prev_hash": prev_hash})
        row = cursor.fetchone()
    if row is None:
        return None
    seq, event_id, found_prev, problem = row
    if found_prev != seq - 1:
        return chain.Break(event_id, seq, chain.gap(found_prev, seq))
    if problem == "missing":
        return chain.Break(event_id, seq, "événement supprimé, son scellement demeure")
    return chain.Break(event_id, seq, "contenu modifié : l'empreinte recalculée ne correspond plus")


def _stray_event(last: sealer.Head) -> int | None:
    """An event older than the last seal's horizon that no seal covers: written around the recorder
    (without its transaction's id, or with an old one) or whose seal was deleted. The events and
    the seals are counted first (index scans); the event is looked for only when the counts differ."""
    events = Event.objects.all()
    if connection.vendor == "postgresql":
        older = events.filter(Q(txid__lt=last.horizon) | Q(txid__isnull=True))
        sealed = Seal.objects.count() - Seal.objects.filter(event__txid__gte=last.horizon).count()
    else:
        older, sealed = events.filter(pk__lte=last.event_id), Seal.objects.count()
    if older.count() == sealed:
        return None
    return older.filter(seal__isnull=True).order_by("pk").values_list("pk", flat=True).first()
