"""The hash chain: canonical serialisation of an event, its hash, and verification.

``hash(n) = SHA-256(hash(n-1) || "\\n" || digest(n))`` where ``digest(n) = SHA-256(canonical(n))``
and the genesis hash is made of zeros. Chaining the digest rather than the content lets an export
carry only the digests of the events it leaves out and still be re-verified link by link up to a
signed head. The canonical form is JSON with sorted keys and no spaces, times in UTC to the
microsecond, so the same event always gives the same bytes on SQLite and on PostgreSQL.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

GENESIS = "0" * 64
FIELDS = (
    "seq", "time", "actor_id", "actor_label", "actor_role", "actor_cell", "ip", "request_id",
    "action", "object_type", "object_id", "departement", "details",
)


def canonical(values: dict) -> bytes:
    data = {name: values[name] for name in FIELDS}
    time = data["time"]
    if isinstance(time, datetime.datetime):
        data["time"] = time.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(values: dict) -> str:
    return hashlib.sha256(canonical(values)).hexdigest()


def chain(previous_hash: str, event_digest: str) -> str:
    return hashlib.sha256(f"{previous_hash}\n{event_digest}".encode()).hexdigest()


def link(previous_hash: str, values: dict) -> str:
    """The hash of an event whose predecessor's hash is ``previous_hash``."""
    return chain(previous_hash, digest(values))


@dataclass
class Break:
    """The first broken link of a chain."""

    event_id: int
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"événement #{self.event_id} (rang {self.seq}) : {self.reason}"


@dataclass
class Verification:
    verified: int
    last_seq: int
    last_hash: str
    broken: Break | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify(rows: Iterable[dict], previous_seq: int = 0, previous_hash: str = GENESIS) -> Verification:
    """Re-compute the chain over rows in ``seq`` order, stopping at the first broken link."""
    result = Verification(verified=0, last_seq=previous_seq, last_hash=previous_hash)
    for row in rows:
        if row["seq"] != result.last_seq + 1:
            missing = f"{result.last_seq + 1} à {row['seq'] - 1}" if row["seq"] > result.last_seq + 1 else ""
            reason = (f"rangs {missing} absents (événements supprimés)" if missing
                      else f"rang {row['seq']} inattendu après {result.last_seq}")
            result.broken = Break(row["id"], row["seq"], reason)
            return result
        computed = link(result.last_hash, row)
        if computed != row["hash"]:
            result.broken = Break(
                row["id"], row["seq"],
                f"contenu modifié : empreinte enregistrée {row['hash'][:16]}…, recalculée {computed[:16]}…",
            )
            return result
        result.verified += 1
        result.last_seq, result.last_hash = row["seq"], row["hash"]
    return result


def rows(queryset, chunk_size: int = 5000) -> Iterator[dict]:
    """The events of a queryset as plain dicts in chain order, streamed."""
    return queryset.order_by("seq").values("id", "hash", *FIELDS).iterator(chunk_size=chunk_size)
