"""Publish a new version of the confidentiality charter, run by the technical administrator on the server.

The text is read from a UTF-8 file (paragraphs separated by a blank line, « ## » opening a heading) and
becomes the current version, dated today: everyone who reads names accepts it again at their next page.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

import audit
from charter import actions
from organisation.errors import ActionRefused
from organisation.policy import SYSTEM


class Command(BaseCommand):
    help = "Publie une nouvelle version de la charte de confidentialité, que chacun devra accepter de nouveau."

    def add_arguments(self, parser) -> None:
        parser.add_argument("text_file", type=Path, help="fichier texte (UTF-8) de la nouvelle version")

    def handle(self, *args, text_file: Path, **options) -> None:
        try:
            text = text_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Impossible de lire « {text_file} » ({error}). Rien n'a été publié.") from None
        try:
            with audit.acting(label="commande publish_charter"):
                version = actions.publish_version(SYSTEM, text)
        except ValidationError as error:
            raise CommandError(f"{' '.join(error.messages)} Rien n'a été publié.") from None
        except ActionRefused as refusal:
            raise CommandError(f"{refusal.message} Rien n'a été publié.") from None
        self.stdout.write(f"Version {version.number} de la charte publiée le {version.published_on:%d/%m/%Y} : "
                          "chacun l'acceptera avant sa prochaine page nominative.")
