"""The hash chain: canonical serialisation of an event, its hash, and verification in Python.

``hash(n) = SHA-256(hash(n-1) || "\\n" || digest(n))`` where ``digest(n) = SHA-256(canonical(n))``
and the genesis hash is made of zeros. Chaining the digest rather than the content lets an export
carry only the digests of the events it leaves out and still be re-verified link by link up to a
signed head. The canonical form is JSON with sorted keys and no spaces, times in UTC to the
microsecond, so the same event always gives the same text on SQLite and on PostgreSQL; it is
stored with the event (``Event.canonical``). The rank is no part of it: an event is written before
it is sealed, and its rank is the seal's (``audit.sealer``).
"""

import datetime
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import F

GENESIS = "0" * 64
FIELDS = (
    "time", "actor_id", "actor_label", "actor_role", "actor_cell", "ip", "request_id",
    "action", "object_type", "object_id", "departement", "details",
)


def canonical(values: dict) -> str:
    data = {name: values[name] for name in FIELDS}
    time = data["time"]
    if isinstance(time, datetime.datetime):
        data["time"] = time.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def digest(values: dict) -> str:
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


def verify(rows: Iterable[dict], previous_seq: int = 0, previous_hash: str = GENESIS) -> Verification:
    """Re-compute the chain over sealed rows in rank order, stopping at the first broken link: each
    row's columns must give its stored canonical text, and that text the seal's hash."""
    result = Verification(verified=0, last_seq=previous_seq, last_hash=previous_hash)
    for row in rows:
        if row["seq"] != result.last_seq + 1:
            result.broken = Break(row["id"], row["seq"], gap(result.last_seq, row["seq"]))
            return result
        text = canonical(row)
        computed = chain(result.last_hash, sha256(text))
        if text != row["canonical"] or computed != row["hash"]:
            result.broken = Break(row["id"], row["seq"], changed(row["hash"], computed))
            return result
        result.verified += 1
        result.last_seq, result.last_hash = row["seq"], row["hash"]
    return result


def rows(seals, chunk_size: int = 5000) -> Iterator[dict]:
    """The sealed events of a queryset of seals as plain dicts in rank order, streamed. A seal whose
    event was deleted is left out (the join drops it), which leaves a gap in the ranks."""
    events = {name: F(f"event__{name}") for name in ("id", *FIELDS, "canonical")}
    return seals.order_by("seq").values("seq", "hash", **events).iterator(chunk_size=chunk_size)
