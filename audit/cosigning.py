"""The witnesses' cosignatures of the trail's checkpoints (C2SP tlog-witness, docs/temoin.md).

Each checkpoint is sent to every witness of ``AUDIT_WITNESSES`` (``"name URL verifier-key"``, run by
the inspection or the DPO with ``audit/witness.py``) with the consistency proof from the size that
witness last cosigned: the one the checkpoints' file shows it cosigned, or, when the witness answers
409 with its own size, that one. The cosignatures that verify against the witness's key are added
to the note; a checkpoint is *established* once ``AUDIT_WITNESS_QUORUM`` witnesses cosigned it. A
witness that refuses (a re-forged trail, a fork) or cannot be reached is named with its reason: the
checkpoint is kept all the same, signed by the application alone, and said to lack the quorum.
"""

import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from audit import proofs, tree
from audit.witness import SIZE_CONTENT_TYPE, Request, parse_size
from ui.french import count


@dataclass(frozen=True)
class Witness:
    name: str
    url: str
    key: proofs.VerifierKey


class Refused(Exception):
    """A witness that did not cosign; the message, in French, says why."""


def configured() -> list[Witness]:
    """The witnesses of ``AUDIT_WITNESSES``, each ``"name URL verifier-key"`` (the key's name is the
    witness's)."""
    witnesses = []
    for entry in settings.AUDIT_WITNESSES:
        parts = entry.split()
        try:
            if len(parts) != 3 or not parts[1].startswith(("https://", "http://")):
                raise proofs.ProofError("« nom URL clé-de-vérification » attendu")
            key = proofs.VerifierKey.parse(parts[2])
            if (key.name, key.key_type) != (parts[0], proofs.COSIGNATURE):
                raise proofs.ProofError("la clé n'est pas une clé de cosignature à ce nom")
        except proofs.ProofError as error:
            raise ImproperlyConfigured(f"AUDIT_WITNESSES : témoin {entry!r} : {error}.") from None
        witnesses.append(Witness(parts[0], parts[1].rstrip("/"), key))
    return witnesses


def keys() -> list[proofs.VerifierKey]:
    return [witness.key for witness in configured()]


@dataclass
class Publication:
    """A checkpoint after its round of the witnesses: the note with their cosignatures, who
    cosigned, and why each other did not."""

    note: str
    cosigned_by: list[str] = field(default_factory=list)
    refusals: dict[str, str] = field(default_factory=dict)
    quorum: int = 0

    @property
    def established(self) -> bool:
        return len(self.cosigned_by) >= self.quorum

    def summary(self) -> str:
        """In French: who cosigned, who refused and why, and whether the quorum is reached."""
        if not self.quorum and not self.cosigned_by and not self.refusals:
            return "aucun témoin configuré"
        said = [f"cosigné par {count(len(self.cosigned_by), 'témoin')} sur {count(self.quorum, 'exigé')}"
                + (f" ({', '.join(self.cosigned_by)})" if self.cosigned_by else "")]
        said += [f"{name} n'a pas cosigné : {reason}" for name, reason in self.refusals.items()]
        return " ; ".join(said) + ("" if self.established else " ; quorum non atteint : point de contrôle non établi")


def publish(note: str, size: int, log_keys: Sequence[proofs.VerifierKey], cosigned: dict[str, int]) -> Publication:
    """Send the log-signed ``note`` (of ``size`` leaves) to each witness, ``cosigned`` giving the
    size each last cosigned as far as the product knows; collect their cosignatures."""
    publication = Publication(note, quorum=settings.AUDIT_WITNESS_QUORUM)
    lines = []
    for witness in configured():
        try:
            lines.append(_cosignature(witness, note, size, cosigned.get(witness.name, 0), log_keys))
        except Refused as refusal:
            publication.refusals[witness.name] = str(refusal)
        else:
            publication.cosigned_by.append(witness.name)
    publication.note = note + "".join(lines)
    return publication


def _cosignature(witness: Witness, note: str, size: int, old: int, log_keys: Sequence[proofs.VerifierKey]) -> str:
    """The witness's cosignature line of ``note``, asked once more from the size it gives in a 409."""
    old = min(old, size)
    status, content_type, body = _post(witness, note, size, old)
    if status == 409 and content_type == SIZE_CONTENT_TYPE:
        told = parse_size(body.removesuffix("\n"))
        if told is None or told > size:
            raise Refused(f"il a déjà cosigné {body.strip()[:20]} événements, plus que les {size} de ce point de "
                          "contrôle (journal tronqué ou remplacé ?)")
        status, content_type, body = _post(witness, note, size, told)
    if status != 200:
        raise Refused(f"refus ({status}) : {body.strip()[:300]}")
    for line in body.splitlines():
        try:
            signature = proofs.parse_note(f"{note}{line}\n").signatures[-1]
            if (signature.name, signature.id) == (witness.key.name, witness.key.id):
                proofs.open_checkpoint(f"{note}{line}\n", [*log_keys, witness.key], quorum=1)
                return f"{line}\n"
        except proofs.ProofError as error:
            raise Refused(f"cosignature illisible ou incorrecte ({error})") from None
    raise Refused("sa réponse ne porte aucune cosignature de sa clé")


def _post(witness: Witness, note: str, size: int, old: int) -> tuple[int, str, str]:
    proof = tree.consistency_proof(old, size) if 0 < old < size else []
    request = urllib.request.Request(f"{witness.url}/add-checkpoint", data=Request(old, proof, note).body(),  # noqa: S310 (http(s) only: configured())
                                     method="POST", headers={"Content-Type": "text/plain; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=settings.AUDIT_WITNESS_TIMEOUT) as response:  # noqa: S310
            return response.status, response.headers.get_content_type(), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers.get_content_type(), error.read().decode("utf-8", "replace")
    except (OSError, ValueError) as error:  # URLError, refused connection, timeout
        raise Refused(f"injoignable ({getattr(error, 'reason', error)})") from None


def last_cosigned(checkpoints: Sequence[object], log_keys: Sequence[proofs.VerifierKey]) -> dict[str, int]:
    """The size each witness last cosigned, from the checkpoints kept (``heads.read_checkpoints``)."""
    sizes: dict[str, int] = {}
    witness_keys = keys()
    for kept in checkpoints:
        note = kept.get("note") if isinstance(kept, dict) else None
        try:
            checkpoint = proofs.open_checkpoint(note if isinstance(note, str) else "", [*log_keys, *witness_keys])
        except proofs.ProofError:
            continue  # a former JSON checkpoint, or one verify_audit refuses: it tells the witnesses nothing
        sizes |= dict.fromkeys(checkpoint.cosigned_by, checkpoint.size)
    return sizes
