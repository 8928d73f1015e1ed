"""Print the public key that verifies the trail's checkpoints and bundles (with --note, as a C2SP verifier key)."""

import base64
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.proofs import VerifierKey
from audit.signing import public_key_text


class Command(BaseCommand):
    help = "Affiche la clé publique (Ed25519, base64) qui vérifie les points de contrôle et les paquets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--note", action="store_true",
                            help="Afficher la clé de vérification des points de contrôle (nom+identifiant+clé), "
                                 "celle que demande python audit/proofs.py.")

    def handle(self, *args: Any, note: bool = False, **options: Any) -> None:
        try:
            key = public_key_text()
            self.stdout.write(VerifierKey.text(settings.AUDIT_LOG_ORIGIN, base64.b64decode(key)) if note else key)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
