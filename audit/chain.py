"""The hash chain: canonical text of an event, its hash, and verification in Python.

``hash(n) = SHA-256(hash(n-1) || "\n" || digest(n))`` where ``digest(n) = SHA-256(canonical(n))``
and the genesis hash is made of zeros. Chaining the digest rather than the content lets an export
carry only the digests of the events it leaves out and still be re-verified link by link up to a
signed head. The rank is no part of the digest: an event is written before it is sealed, and its
rank is its seal's (``audit.sealer``).

The canonical text is made from the event *as the database gives it back*, never from what the
application meant to write, so nothing the database normalises can break the chain. It is a JSON
array of the columns in a fixed order, the details written as PostgreSQL writes a ``jsonb`` value
(keys by length then bytes, ``", "`` and ``": "``, numbers without exponent), so that PostgreSQL
computes the same text from the columns by itself (``DIGEST_SQL``): the sealer and the verifier
hash there without reading the rows into Python. SQLite and the offline verifier use
``canonical()``; tests check on both databases that the two agree on arbitrary events.
"""

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import F, QuerySet

# The canonical text lives with the offline verifier, which re-computes it from an exported event.
from audit.proofs import EVENT_FIELDS, canonical

if TYPE_CHECKING:  # the chain's text and hashes need no model: only rows() reads the database
    from audit.models import Seal

GENESIS = "0" * 64
FIELDS = EVENT_FIELDS

# canonical(), computed by PostgreSQL from the columns of ``audit_event e``, then hashed (bytes; NULL
# when no event joins); and in hex, as the chain links it.
DIGEST_BYTES_SQL = """sha256(convert_to('['
    || to_json(to_char(e.time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'))::text
    || ',' || coalesce(e.actor_id::text, 'null') || ',' || to_json(e.actor_label)::text
    || ',' || to_json(e.actor_role)::text || ',' || to_json(e.actor_cell)::text
    || ',' || coalesce(to_json(host(e.ip))::text, 'null') || ',' || to_json(e.request_id)::text
    || ',' || to_json(e.action)::text || ',' || to_json(e.object_type)::text
    || ',' || to_json(e.object_id)::text || ',' || to_json(e.departement)::text
    || ',' || e.details::text || ']', 'UTF8'))"""
DIGEST_SQL = f"encode({DIGEST_BYTES_SQL}, 'hex')"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def digest(values: Mapping[str, Any]) -> str:
    return sha256(canonical(values))


def chain(previous_hash: str, event_digest: str) -> str:
    return sha256(f"{previous_hash}\n{event_digest}")


@dataclass
class Break:
    """The first broken link of a chain."""

    event_id: int
    seq: int
    reason: str

    def __str__(self) -> str:
        rank = f" (rang {self.seq})" if self.seq else ""
        return f"événement #{self.event_id}{rank} : {self.reason}"


@dataclass
class Verification:
    verified: int
    last_seq: int
    last_hash: str
    broken: Break | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


def gap(previous_seq: int, seq: int) -> str:
    if seq > previous_seq + 1:
        return f"rangs {previous_seq + 1} à {seq - 1} absents (événements supprimés)"
    return f"rang {seq} inattendu après {previous_seq}"


def changed(stored: str, computed: str) -> str:
    return f"contenu modifié : empreinte enregistrée {stored[:16]}…, recalculée {computed[:16]}…"


def verify(rows: Iterable[Mapping[str, Any]], previous_seq: int = 0, previous_hash: str = GENESIS) -> Verification:
    """Re-compute the chain over sealed rows in rank order, stopping at the first broken link."""
    result = Verification(verified=0, last_seq=previous_seq, last_hash=previous_hash)
    for row in rows:
        if row["seq"] != result.last_seq + 1:
            result.broken = Break(row["id"], row["seq"], gap(result.last_seq, row["seq"]))
            return result
        computed = chain(result.last_hash, digest(row))
        if computed != row["hash"]:
            result.broken = Break(row["id"], row["seq"], changed(row["hash"], computed))
            return result
        result.verified += 1
        result.last_seq, result.last_hash = row["seq"], row["hash"]
    return result


def rows(seals: "QuerySet[Seal]", chunk_size: int = 5000) -> Iterator[Mapping[str, Any]]:
    """The sealed events of a queryset of seals as plain dicts in rank order, streamed. A seal whose
    event was deleted is left out (the join drops it), which leaves a gap in the ranks."""
    events = {name: F(f"event__{name}") for name in ("id", *FIELDS)}
    return seals.order_by("seq").values("seq", "hash", **events).iterator(chunk_size=chunk_size)
