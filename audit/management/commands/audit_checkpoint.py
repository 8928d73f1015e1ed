"""Write the signed head of the audit chain where the settings say, to be kept outside the database."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from audit.heads import take_checkpoint


class Command(BaseCommand):
    help = "Signe la tête de la chaîne d'audit et l'écrit dans le fichier ou aux adresses configurés."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", metavar="FICHIER", help="Écrire dans ce fichier (ajout d'une ligne).")

    def handle(self, *args, output: str | None = None, **options) -> None:
        try:
            signed = take_checkpoint(output)
        except (ImproperlyConfigured, OSError) as error:
            raise CommandError(str(error)) from None
        head = signed["payload"]
        self.stdout.write(f"Point de contrôle signé : rang {head['seq']}, empreinte {head['hash']}.")
