"""Re-compute the audit trail's hash chain and name its first broken link.

Also verifies offline an exported bundle (``--file``) and proves that the trail still holds a
signed checkpoint unchanged (``--checkpoint``).
"""

import json

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from audit import chain, signing
from audit.exports import verify_bundle
from audit.heads import read_checkpoint
from audit.models import Event, IntegrityCheck


class Command(BaseCommand):
    help = "Vérifie l'intégrité du journal d'audit (chaîne d'empreintes SHA-256, têtes signées Ed25519)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--since", type=int, metavar="ID",
                            help="Vérifier à partir de cet événement, en partant de l'empreinte du précédent.")
        parser.add_argument("--file", metavar="PAQUET", help="Vérifier hors ligne un paquet exporté (JSON).")
        parser.add_argument("--checkpoint", metavar="FICHIER",
                            help="Vérifier que le journal contient toujours ce point de contrôle signé.")
        parser.add_argument("--public-key", metavar="CLÉ",
                            help="Clé publique (base64) ; par défaut celle de la clé configurée.")

    def handle(self, *args, since=None, file=None, checkpoint=None, public_key=None, **options) -> None:
        if file:
            return self.verify_file(file, public_key or self.configured_public_key())
        start_seq, previous_seq, previous_hash = 1, 0, chain.GENESIS
        if since is not None:
            start = Event.objects.filter(pk=since).values("seq").first()
            if start is None:
                raise CommandError(f"Aucun événement d'identifiant {since}.")
            before = Event.objects.filter(seq__lt=start["seq"]).order_by("-seq").values("seq", "hash").first()
            if before is not None:
                previous_seq, previous_hash = before["seq"], before["hash"]
            elif start["seq"] != 1:
                raise CommandError(f"L'événement précédant #{since} est absent : vérifiez sans --since.")
            start_seq = start["seq"]
        result = chain.verify(chain.rows(Event.objects.filter(seq__gte=start_seq)), previous_seq, previous_hash)
        if result.ok and checkpoint:
            self.check_checkpoint(checkpoint, public_key or self.configured_public_key())
        if not result.ok:
            message = (f"Journal d'audit altéré après {result.verified} événement(s) vérifié(s) : "
                       f"première rupture à l'{result.broken}.")
        else:
            message = (f"Journal d'audit intègre : {result.verified} événement(s) vérifié(s), "
                       f"dernier rang {result.last_seq}, empreinte {result.last_hash}.")
        if since is None:
            IntegrityCheck.objects.create(verified=result.verified, last_seq=result.last_seq, ok=result.ok,
                                          message=message[:500])
        if not result.ok:
            raise CommandError(message)
        self.stdout.write(message)

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

    def check_checkpoint(self, path: str, public_key: str) -> None:
        try:
            signed = read_checkpoint(path)
        except (OSError, ValueError) as error:
            raise CommandError(f"Point de contrôle illisible : {error}") from None
        if not signing.verify(signed, public_key):
            raise CommandError("Point de contrôle invalide : signature incorrecte (ou clé publique différente).")
        head = signed["payload"]
        stored = Event.objects.filter(seq=head["seq"]).values("id", "hash").first() if head["seq"] else None
        if head["seq"] and (stored is None or (stored["id"], stored["hash"]) != (head["last_id"], head["hash"])):
            raise CommandError(f"Le journal ne contient plus le point de contrôle du {head['time']} "
                               f"(rang {head['seq']}) tel qu'il a été signé.")
        self.stdout.write(f"Point de contrôle du {head['time']} (rang {head['seq']}) présent et inchangé.")
