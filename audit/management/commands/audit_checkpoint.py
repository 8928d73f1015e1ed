"""Sign the trail's Merkle tree (a C2SP checkpoint note), keep it outside the database (file, e-mail), print it."""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

import audit
from audit.heads import NoDestination, take_checkpoint
from audit.replication import NotReplicated


class Command(BaseCommand):
    help = ("Signe l'arbre de Merkle du journal d'audit (point de contrôle C2SP), l'écrit dans le fichier ou aux "
            "adresses configurés et l'affiche.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", metavar="FICHIER", help="Écrire dans ce fichier (ajout d'une ligne).")

    def handle(self, *args: Any, output: str | None = None, **options: Any) -> None:
        try:
            checkpoint, publication = take_checkpoint(output)
        except (NoDestination, NotReplicated, ImproperlyConfigured, OSError) as error:
            raise CommandError(str(error)) from None
        root = checkpoint.root.hex()
        with audit.acting(label="audit_checkpoint"):
            audit.record("audit.checkpoint", details={
                "rang": checkpoint.size, "racine": root, "clé": checkpoint.signed_by[0],
                "témoins": publication.cosigned_by, "refus": publication.refusals, "quorum": publication.quorum,
                "établi": publication.established}, proven=True)
        self.stdout.write(f"Point de contrôle signé : {checkpoint.size} événements, racine {root} ; "
                          f"témoins : {publication.summary()}.")
        self.stdout.write(publication.note, ending="")
        if not publication.established:
            raise CommandError(f"Point de contrôle gardé, mais non établi : {publication.summary()}.")
