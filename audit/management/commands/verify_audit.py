"""Re-compute the audit trail's hash chain and name its first broken link.

Also verifies offline an exported bundle (``--file``) and proves that the trail still holds every
signed checkpoint of a file unchanged (``--checkpoint``); with ``--incremental``, the checkpoints
vouch for the events up to the last of them and only the events after it are re-computed, so a
daily check costs only the day's events. Each run on the database is itself an event of the trail
(``audit.verify``), proven (``audit.attestation``), which the inspectors' integrity page reads.
"""

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

import audit
from audit import chain, sealer, signing, verification
from audit.exports import verify_bundle
from audit.heads import CheckpointsReport, check_checkpoints, last_size, read_checkpoints
from audit.models import Seal, TrailArchive
from ui.french import count, plural

LISTED = 5  # the checkpoints whose witnesses the message names: the last ones


class Command(BaseCommand):
    help = "Vérifie l'intégrité du journal d'audit (chaîne d'empreintes SHA-256, têtes signées Ed25519)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=int, metavar="ID",
                            help="Vérifier à partir de cet événement, en partant de l'empreinte du précédent.")
        parser.add_argument("--file", metavar="PAQUET", help="Vérifier hors ligne un paquet exporté (JSON).")
        parser.add_argument("--checkpoint", metavar="FICHIER",
                            help="Vérifier que le journal contient toujours chaque point de contrôle signé du fichier.")
        parser.add_argument("--incremental", action="store_true",
                            help="Avec --checkpoint : ne recalculer que les événements postérieurs au dernier point.")
        parser.add_argument("--public-key", metavar="CLÉ", action="append",
                            help="Clé publique (base64), à répéter pour plusieurs ; par défaut la clé configurée "
                                 "et celles d'AUDIT_TRUSTED_PUBLIC_KEYS.")

    def handle(self, *args: Any, since: int | None = None, file: str | None = None, checkpoint: str | None = None,
               incremental: bool = False, public_key: list[str] | None = None, **options: Any) -> None:
        if file:
            return self.verify_file(file, public_key[0] if public_key else self.configured_public_key())
        if incremental and (not checkpoint or since is not None):
            raise CommandError("--incremental part du dernier point de contrôle : donnez --checkpoint, sans --since.")
        sealer.seal()  # a checkpoint names a rank that may have to be sealed again after a crash
        proof, problem, start = "", "", (1, 0, chain.GENESIS)
        if checkpoint:
            proof, problem, last = self.check_checkpoints(checkpoint, public_key)
            if incremental and last is not None:
                seq, chain_hash, _ = last_size(last)
                start = (seq + 1, seq, chain_hash)
        elif since is not None:
            start = self.start_at(since)
        if problem:
            message, verified, last_seq = f"Journal d'audit altéré : {problem}.", 0, 0
        else:
            message, verified, last_seq = self.verify_chain(*start, proof)
        ok = message.startswith("Journal d'audit intègre")
        if since is None:
            with audit.acting(label="verify_audit"):
                audit.record("audit.verify", details={"vérifiés": verified, "dernier_rang": last_seq, "intègre": ok,
                                                      "message": message[:500]}, proven=True)
        if not ok:
            raise CommandError(message)
        self.stdout.write(message)

    def verify_chain(self, start_seq: int, previous_seq: int, previous_hash: str, proof: str) -> tuple[str, int, int]:
        result = verification.verify(start_seq, previous_seq, previous_hash)
        if not result.ok:
            message = (f"Journal d'audit altéré après {_verified(result.verified)} : "
                       f"première rupture à l'{result.broken}.")
        else:
            window = sealer.unsealed()
            pending = (f" {count(window.count, 'événement')} de transactions en cours, pas encore "
                       f"{plural(window.count, 'scellé')}."
                       if window.count else "")
            message = (f"Journal d'audit intègre : {_verified(result.verified)}, "
                       f"dernier rang {result.last_seq}, empreinte {result.last_hash}.{pending} {proof}").strip()
        return message, result.verified, result.last_seq

    def start_at(self, event_id: int) -> tuple[int, int, str]:
        """Where ``--since`` starts: the event's rank, and the rank and hash of the one before."""
        sealer.seal()
        start = Seal.objects.filter(event_id=event_id).values("seq").first()
        if start is None:
            raise CommandError(f"Aucun événement scellé d'identifiant {event_id}.")
        before = Seal.objects.filter(seq__lt=start["seq"]).order_by("-seq").values("seq", "hash").first()
        archived, archived_hash = TrailArchive.boundary()
        if before is None and start["seq"] == archived + 1:  # the first event kept after an archive
            before = {"seq": archived, "hash": archived_hash}
        if before is None and start["seq"] != 1:
            raise CommandError(f"L'événement précédant #{event_id} est absent : vérifiez sans --since.")
        return (start["seq"], *((before["seq"], before["hash"]) if before else (0, chain.GENESIS)))

    def configured_public_key(self) -> str:
        try:
            return signing.public_key_text()
        except ImproperlyConfigured as error:
            raise CommandError(f"{error} Donnez la clé publique avec --public-key.") from None

    def verify_file(self, path: str, public_key: str) -> None:
        try:
            with open(path, encoding="utf-8") as file:
                bundle = json.load(file)
        except (OSError, ValueError) as error:
            raise CommandError(f"Paquet illisible : {error}") from None
        ok, message = verify_bundle(bundle, public_key)
        if not ok:
            raise CommandError(f"Paquet d'audit invalide : {message}.")
        self.stdout.write(f"Paquet d'audit intègre : {message}.")

    def check_checkpoints(self, path: str, public_keys: list[str] | None) -> tuple[str, str, dict | None]:
        """What the checkpoints of the file prove, or the first that fails and why; and the last one."""
        try:
            checkpoints = read_checkpoints(path)
        except (OSError, ValueError) as error:
            raise CommandError(f"Point de contrôle illisible : {error}") from None
        report = check_checkpoints(checkpoints, signing.trusted_public_keys(public_keys))
        if not report.ok:
            checked = count(report.checked, "point de contrôle vérifié", "points de contrôle vérifiés")
            return "", f"{checked}, puis {report.problem}", None
        seq, _, time = last_size(checkpoints[-1])
        present = count(report.checked, "point de contrôle présent et inchangé",
                        "points de contrôle présents et inchangés")
        witnesses, unestablished = self.witnesses(report)
        if unestablished:
            return "", f"{present}, mais le dernier n'est pas établi : {unestablished}", None
        return f"{present}, le dernier du {time} (rang {seq}).{witnesses}", "", checkpoints[-1]

    def witnesses(self, report: CheckpointsReport) -> tuple[str, str]:
        """Which witnesses cosigned each checkpoint, and which lack the quorum; and, when the last one
        lacks it, why: the application alone vouches for it (a trail re-forged and signed anew
        with its key is refused by the witnesses)."""
        quorum = settings.AUDIT_WITNESS_QUORUM
        if not report.witnessed or not (quorum or any(item.cosigned_by for item in report.witnessed)):
            return "", ""
        lacking = [item for item in report.witnessed if len(item.cosigned_by) < quorum]
        if lacking and lacking[-1] is report.witnessed[-1]:
            required = count(quorum, "cosignature de témoins exigée", "cosignatures de témoins exigées")
            return "", f"{lacking[-1]} ; {required}"
        text = f" Témoins (quorum {quorum}) : " + " ; ".join(str(item) for item in report.witnessed[-LISTED:]) + "."
        if lacking:  # a witness down for a while: those checkpoints rest on the later, established ones
            numbers = ", ".join(f"n° {item.number}" for item in lacking[:LISTED])
            numbers += "…" if len(lacking) > LISTED else ""
            text += f" {count(len(lacking), 'point de contrôle', 'points de contrôle')} sans le quorum ({numbers})."
        return text, ""


def _verified(events: int) -> str:
    return count(events, "événement vérifié", "événements vérifiés")
