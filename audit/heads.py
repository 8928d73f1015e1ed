"""Signed chain heads: checkpoints kept outside the database, and the heads of export bundles.

A checkpoint proves what the trail held when it was signed. Verifying a file of checkpoints checks
every one of them, in order: a trail cut at its tail then checkpointed afresh still fails on the
older checkpoints, and a chain recomputed from an edited event fails on every checkpoint signed
before the edit, even though its links all agree.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from audit import sealer, signing
from audit.models import Seal
from outbox.mail import queue_mail


class NoDestination(Exception):
    """A checkpoint kept nowhere proves nothing: it is refused."""


def current_head() -> dict:
    """The last sealed event of the chain, once every event that can be sealed is: its id, rank
    and hash, and when the head was read."""
    sealer.seal()
    last = sealer.head()
    return {"last_id": last.event_id or None, "seq": last.seq, "hash": last.hash, "count": last.seq,
            "time": timezone.now().isoformat(timespec="seconds")}


def take_checkpoint(output: str | None = None) -> tuple[dict, str]:
    """Sign the current head and keep it where the settings say: a file (one JSON line per
    checkpoint) and/or e-mail addresses. Returns the signed checkpoint and its line."""
    target = output or settings.AUDIT_CHECKPOINT_FILE
    emails = settings.AUDIT_CHECKPOINT_EMAILS if output is None else []
    if not target and not emails:
        raise NoDestination("Aucune destination pour le point de contrôle : donnez --output, ou les réglages "
                            "AUDIT_CHECKPOINT_FILE ou AUDIT_CHECKPOINT_EMAILS. Rien n'a été signé.")
    signed = signing.sign({"type": "checkpoint", **current_head()})
    line = json.dumps(signed, sort_keys=True, ensure_ascii=False)
    if target:
        with Path(target).open("a", encoding="utf-8") as file:
            file.write(line + "\n")
    if emails:
        head = signed["payload"]
        # Through the queue: a mail server down delays the copy, it does not lose it.
        queue_mail(f"[Cellule de suivi] Point de contrôle du journal d'audit — rang {head['seq']}",
                   "Conservez ce point de contrôle signé hors de la base de données :\n\n" + line + "\n", emails)
    return signed, line


def read_checkpoints(path: str) -> list[dict]:
    """Every checkpoint of a file written by ``take_checkpoint`` (or a single JSON document)."""
    text = Path(path).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValueError("fichier de point de contrôle vide")
    try:
        return [json.loads(line) for line in lines]
    except ValueError:
        return [json.loads(text)]  # one JSON document over several lines


@dataclass
class CheckpointsReport:
    checked: int
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def check_checkpoints(checkpoints: list[dict], public_keys: dict[str, str]) -> CheckpointsReport:
    """Check each checkpoint's signature by a trusted key and that the trail still holds its head;
    stop at the first that fails, saying why."""
    head_seq = sealer.head().seq
    previous_seq = 0
    for number, signed in enumerate(checkpoints, start=1):
        problem = _problem(signed, public_keys, head_seq, previous_seq)
        if problem:
            return CheckpointsReport(number - 1, f"point de contrôle n° {number} : {problem}")
        previous_seq = signed["payload"]["seq"]
    return CheckpointsReport(len(checkpoints))


def _problem(signed: object, public_keys: dict[str, str], head_seq: int, previous_seq: int) -> str:
    if not isinstance(signed, dict):
        return "illisible"
    payload = signed.get("payload")
    if not isinstance(payload, dict) or not {"seq", "hash", "last_id", "time"} <= payload.keys():
        return "illisible"
    # A checkpoint names the key that signed it; one from before key ids is tried with each trusted key.
    named = payload.get("key_id")
    candidates = [public_keys[named]] if named in public_keys else [] if named else list(public_keys.values())
    if not any(signing.verify(signed, key) for key in candidates):
        return (f"du {payload['time']}, signature incorrecte"
                + (" : clé inconnue" if named and named not in public_keys else " (ou clé publique différente)"))
    seq = payload["seq"]
    if seq < previous_seq:
        return (f"du {payload['time']}, rang {seq} inférieur au rang {previous_seq} du point précédent "
                "(journal tronqué entre les deux)")
    if seq > head_seq:
        return (f"du {payload['time']}, il atteste le rang {seq}, le journal s'arrête au rang {head_seq} "
                "(journal tronqué : sa fin a été supprimée)")
    stored = Seal.objects.filter(seq=seq).values("event_id", "hash").first() if seq else None
    if seq and (stored is None or (stored["event_id"], stored["hash"]) != (payload["last_id"], payload["hash"])):
        return (f"du {payload['time']}, l'événement de rang {seq} n'est plus celui qui a été signé "
                "(événement modifié et chaîne recalculée, ou événements réordonnés)")
    return ""
