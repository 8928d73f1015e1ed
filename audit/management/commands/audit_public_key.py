"""Print the public key that verifies the audit trail's checkpoints and bundles."""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from audit.signing import public_key_text


class Command(BaseCommand):
    help = "Affiche la clé publique (Ed25519, base64) qui vérifie les points de contrôle et les paquets."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.stdout.write(public_key_text())
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
