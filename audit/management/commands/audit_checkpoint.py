"""Sign the head of the audit chain and keep it outside the database (file, e-mail), then print it."""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

import audit
from audit.heads import NoDestination, take_checkpoint


class Command(BaseCommand):
    help = "Signe la tête de la chaîne d'audit, l'écrit dans le fichier ou aux adresses configurés et l'affiche."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", metavar="FICHIER", help="Écrire dans ce fichier (ajout d'une ligne).")

    def handle(self, *args: Any, output: str | None = None, **options: Any) -> None:
        try:
            signed, line = take_checkpoint(output)
        except (NoDestination, ImproperlyConfigured, OSError) as error:
            raise CommandError(str(error)) from None
        head = signed["payload"]
        with audit.acting(label="audit_checkpoint"):
            audit.record("audit.checkpoint", details={"rang": head["seq"], "empreinte": head["hash"],
                                                      "clé": head["key_id"]}, proven=True)
        self.stdout.write(f"Point de contrôle signé : rang {head['seq']}, empreinte {head['hash']}.")
        self.stdout.write(line)
