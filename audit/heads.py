"""Signed checkpoints of the trail, kept outside the database.

A checkpoint is a C2SP signed note (``audit.proofs``): the log's origin (``AUDIT_LOG_ORIGIN``), the
tree's size and root, then two extension lines, the chain's head at that rank and the time, signed
with ``AUDIT_SIGNING_KEY`` under the origin's name. It is kept as one JSON line ``{"note": …}`` of the
checkpoints' file, after the JSON checkpoints of former versions (signed chain heads), which are
still checked as they were. Before it is kept, the note goes round the witnesses (``audit.cosigning``),
whose cosignatures it then carries; the line names the witnesses that refused and why. With
standbys named, it covers nothing they have not received (``audit.replication``). A checkpoint
proves what the trail held when it was signed, and, cosigned, that the application showed no other
history to the witnesses. Verifying a file of checkpoints checks every one of them, in order: a
trail cut at its tail then checkpointed afresh still fails on the older checkpoints, and a chain
recomputed from an edited event fails on every checkpoint signed before the edit, even though its
links all agree.
"""

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from audit import chain, cosigning, proofs, replication, sealer, signing, tree
from audit.models import Seal, TrailArchive
from outbox.mail import queue_mail


class NoDestination(Exception):
    """A checkpoint kept nowhere proves nothing: it is refused."""


def checkpoint_note() -> str:
    """The current tree, once every event that can be sealed is, as a signed checkpoint note."""
    sealer.seal()
    size = tree.size()
    seal = Seal.objects.filter(seq=size).values("hash").first() if size else None
    extensions = [f"chain {size} {seal['hash'] if seal else chain.GENESIS}",
                  f"time {timezone.now().isoformat(timespec='seconds')}"]
    text = proofs.checkpoint_text(settings.AUDIT_LOG_ORIGIN, size, tree.root(size), extensions)
    replication.ensure_received()  # what was read above is on the standbys' disks, or nothing is signed
    return proofs.sign_note(text, settings.AUDIT_LOG_ORIGIN, signing.private_key())


def verifier_keys(public_keys: dict[str, str]) -> list[proofs.VerifierKey]:
    """The note verifier keys of the trusted public keys (base64), under the log's origin."""
    origin = settings.AUDIT_LOG_ORIGIN
    return [proofs.VerifierKey.parse(proofs.VerifierKey.text(origin, base64.b64decode(key)))
            for key in public_keys.values()]


def take_checkpoint(output: str | None = None) -> tuple[proofs.Checkpoint, cosigning.Publication]:
    """Sign the current tree, have the witnesses cosign it, and keep it where the settings say: a file
    (one JSON line per checkpoint) and/or e-mail addresses. Returns the checkpoint and its round of
    the witnesses (the note as kept)."""
    target = output or settings.AUDIT_CHECKPOINT_FILE
    emails = settings.AUDIT_CHECKPOINT_EMAILS if output is None else []
    if not target and not emails:
        raise NoDestination("Aucune destination pour le point de contrôle : donnez --output, ou les réglages "
                            "AUDIT_CHECKPOINT_FILE ou AUDIT_CHECKPOINT_EMAILS. Rien n'a été signé.")
    note = checkpoint_note()
    log_keys = verifier_keys(signing.trusted_public_keys())
    checkpoint = proofs.open_checkpoint(note, log_keys)
    previous = read_checkpoints(target) if target and Path(target).is_file() and Path(target).stat().st_size else []
    publication = cosigning.publish(note, checkpoint.size, log_keys, cosigning.last_cosigned(previous, log_keys))
    if target:
        kept = {"note": publication.note} | ({"refus": publication.refusals} if publication.refusals else {})
        with Path(target).open("a", encoding="utf-8") as file:
            file.write(json.dumps(kept, ensure_ascii=False) + "\n")
    if emails:
        # Through the queue: a mail server down delays the copy, it does not lose it.
        queue_mail(f"[Cellule de suivi] Point de contrôle du journal d'audit — {checkpoint.size} événements",
                   "Conservez ce point de contrôle signé hors de la base de données :\n\n" + publication.note
                   + f"\nTémoins : {publication.summary()}.\n", emails)
    return checkpoint, publication


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
class Witnessed:
    """Which witnesses cosigned a checkpoint of the file, and why the others did not."""

    number: int
    size: int
    time: str
    cosigned_by: list[str]
    refusals: dict[str, str]

    def __str__(self) -> str:
        said = f"n° {self.number} (rang {self.size}, du {self.time}) : " + (
            f"cosigné par {', '.join(self.cosigned_by)}" if self.cosigned_by else "aucune cosignature")
        return said + "".join(f", {name} a refusé ({reason})" for name, reason in self.refusals.items())


@dataclass
class CheckpointsReport:
    checked: int
    problem: str = ""
    witnessed: list[Witnessed] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problem


def check_checkpoints(checkpoints: list[dict], public_keys: dict[str, str]) -> CheckpointsReport:
    """Check each checkpoint's signature by a trusted key and that the trail still holds its head;
    stop at the first that fails, saying why."""
    head_seq = sealer.head().seq
    previous_seq, previous = 0, None
    keys = verifier_keys(public_keys) + cosigning.keys()  # the witnesses' cosignatures are checked too
    witnessed = []
    for number, signed in enumerate(checkpoints, start=1):
        if isinstance(signed, dict) and "note" in signed:
            problem, previous = _note_problem(signed["note"], keys, head_seq, previous)
            previous_seq = previous.size if previous else previous_seq
            if previous is not None and not problem:
                refused = signed.get("refus")
                reasons = {str(name): str(why) for name, why in refused.items()} if isinstance(refused, dict) else {}
                witnessed.append(Witnessed(number, previous.size, _time(previous.extensions), previous.cosigned_by,
                                           reasons))
        else:
            problem = _problem(signed, public_keys, head_seq, previous_seq)
            previous_seq = 0 if problem else signed["payload"]["seq"]
        if problem:
            return CheckpointsReport(number - 1, f"point de contrôle n° {number} : {problem}", witnessed)
    return CheckpointsReport(len(checkpoints), witnessed=witnessed)


def last_size(checkpoint: dict) -> tuple[int, str, str]:
    """The rank, chain hash and time a checkpoint of the file attests (either format)."""
    if "note" in checkpoint:
        lines = proofs.parse_note(checkpoint["note"]).text.splitlines()
        _, seq, chain_hash = next(line for line in lines if line.startswith("chain ")).split(" ")
        return int(seq), chain_hash, _time(lines)
    payload = checkpoint["payload"]
    return payload["seq"], payload["hash"], payload["time"]


def _time(lines: list[str]) -> str:
    return next((line[5:] for line in lines if line.startswith("time ")), "?")


def _note_problem(note: object, keys: list[proofs.VerifierKey], head_seq: int,
                  previous: proofs.Checkpoint | None) -> tuple[str, proofs.Checkpoint | None]:
    """What is wrong with a checkpoint note: its signature, its size against the trail's, its root
    against the stored tree's, the chain's head it names, its consistency with the one before."""
    try:
        checkpoint = proofs.open_checkpoint(note if isinstance(note, str) else "", keys)
    except proofs.ProofError as error:
        return str(error), previous
    size, when = checkpoint.size, _time(checkpoint.extensions)
    if previous is not None and size < previous.size:
        return (f"du {when}, taille {size} inférieure à la taille {previous.size} du point précédent "
                "(journal tronqué entre les deux)"), previous
    if size > head_seq or size > tree.size():
        return (f"du {when}, il atteste {size} événements, le journal s'arrête au rang {head_seq} "
                "(journal tronqué : sa fin a été supprimée)"), previous
    chain_line = next((line.split(" ") for line in checkpoint.extensions if line.startswith("chain ")), None)
    stored = Seal.objects.filter(seq=size).values_list("hash", flat=True).first() if size else chain.GENESIS
    archived, archived_hash = TrailArchive.boundary()
    if size == archived:
        stored = archived_hash
    elif size < archived:
        chain_line = None  # its head is archived: the tree's root, whose nodes all stay, still vouches for it
    if tree.root(size) != checkpoint.root or (chain_line and chain_line[2] != stored):
        return (f"du {when}, l'événement de rang {size} n'est plus celui qui a été signé (événement modifié et "
                "chaîne recalculée, ou événements réordonnés)"), previous
    if previous is not None:
        try:
            proofs.verify_consistency(previous.size, size, previous.root, checkpoint.root,
                                      tree.consistency_proof(previous.size, size))
        except proofs.ProofError as error:
            return f"du {when}, {error}", previous
    return "", checkpoint


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
    signed = (payload["last_id"], payload["hash"])
    if seq > TrailArchive.boundary()[0] and (stored is None or (stored["event_id"], stored["hash"]) != signed):
        return (f"du {payload['time']}, l'événement de rang {seq} n'est plus celui qui a été signé "
                "(événement modifié et chaîne recalculée, ou événements réordonnés)")
    return ""
