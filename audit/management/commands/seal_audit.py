"""Seal the events written since the last seal (run every minute: it bounds the unsealed window)."""

from django.core.management.base import BaseCommand

from audit import sealer


class Command(BaseCommand):
    help = ("Scelle les événements d'audit écrits depuis le dernier scellement (à lancer chaque minute) "
            "et affiche ce qui reste à sceller.")

    def handle(self, *args, **options) -> None:
        sealed = sealer.seal()
        window = sealer.unsealed()
        self.stdout.write(f"{sealed} événement(s) scellé(s) ; {window.count} en attente"
                          + (f", le plus ancien depuis {window.age_seconds:.0f} s." if window.count else "."))
