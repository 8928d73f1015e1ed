"""Access receipts: a person's events of the trail, each with its inclusion proof against the latest
checkpoint, which ``python audit/proofs.py recus`` checks without Django nor any other event.

A receipt holds the event's columns (from which the verifier re-computes its digest, the leaf's data),
its rank and the tree's size, and the O(log n) hashes of its proof: nothing of any other event. The
checkpoint is the last note of the checkpoints' file (``AUDIT_CHECKPOINT_FILE``, with its cosignatures)
that the log's keys sign, that the quorum of witnesses cosigned (``AUDIT_WITNESS_QUORUM``,
``audit.cosigning``: the application alone cannot vouch for it) and that the stored tree still matches. An event sealed
after it, or not sealed yet, is listed among the events not yet covered: the next export proves it.
"""

import base64
import datetime
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from audit import chain, cosigning, heads, proofs, sealer, signing, tree
from audit.models import Event, Seal


def columns(row: Mapping[str, Any]) -> dict[str, Any]:
    """An event as the verifier reads it: its id and the columns of its canonical text."""
    return {"id": row["id"], **{name: row[name] for name in chain.FIELDS},
            "time": row["time"].astimezone(datetime.UTC).isoformat(timespec="microseconds")}


def latest_checkpoint() -> tuple[proofs.Checkpoint, str] | None:
    """The last established checkpoint of the file: a trusted key signed it, the quorum of witnesses
    cosigned it, the stored tree still matches it; with its note. ``None`` when there is none (no file
    yet, or none that holds)."""
    path = settings.AUDIT_CHECKPOINT_FILE
    if not path or not Path(path).exists():
        return None
    try:
        entries = heads.read_checkpoints(path)
    except (OSError, ValueError):  # empty or unreadable: no checkpoint to prove against, the events wait
        return None
    keys = [*heads.verifier_keys(signing.trusted_public_keys()), *cosigning.keys()]
    stored = tree.size()
    for entry in reversed(entries):
        note = entry.get("note") if isinstance(entry, dict) else None
        try:
            checkpoint = proofs.open_checkpoint(note if isinstance(note, str) else "", keys,
                                                quorum=settings.AUDIT_WITNESS_QUORUM)
        except proofs.ProofError:
            continue  # of the former format, of another key, or short of the quorum: the one before may hold
        if checkpoint.size <= stored and tree.root(checkpoint.size) == checkpoint.root:
            return checkpoint, str(note)
    return None


def receipts(events: QuerySet[Event]) -> dict[str, Any]:
    """The receipts of ``events`` (a person's), and those not yet covered by a checkpoint."""
    sealer.seal()
    latest = latest_checkpoint()
    size = latest[0].size if latest else 0
    covered, pending = [], []
    for row in chain.rows(Seal.objects.filter(event__in=events)):
        if row["seq"] <= size:
            proof = tree.inclusion_proof(row["seq"] - 1, size)
            covered.append({"index": row["seq"] - 1, "size": size, "event": columns(row),
                            "proof": [value.hex() for value in proof]})
        else:
            pending.append({"rank": row["seq"], "event": {"id": row["id"], "time": columns(row)["time"],
                                                          "action": row["action"]}})
    for event_id, time, action in events.filter(seal__isnull=True).values_list("id", "time", "action"):
        pending.append({"rank": None, "event": {"id": event_id, "time": time.isoformat(), "action": action}})
    return {"format": proofs.RECEIPTS_FORMAT, "checkpoint": latest[1] if latest else None,
            "verifier_key": verifier_key(), "receipts": covered, "pending": pending}


def verifier_key() -> str:
    """The log's verifier key (``nom+identifiant+clé``), for the reader to compare with the published one."""
    return proofs.VerifierKey.text(settings.AUDIT_LOG_ORIGIN, base64.b64decode(signing.public_key_text()))
