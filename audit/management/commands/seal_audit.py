"""Seal the events written since the last seal: once (a timer every minute), or as a service."""

import time

from django.core.management.base import BaseCommand, CommandError

from audit import sealer


class Command(BaseCommand):
    help = ("Scelle les événements d'audit écrits depuis le dernier scellement et affiche ce qui reste à sceller ; "
            "avec --every, recommence sans fin (service).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--every", type=float, metavar="SECONDES",
                            help="Recommencer toutes les SECONDES secondes, jusqu'à l'arrêt du service.")

    def handle(self, *args, every: float | None = None, **options) -> None:
        if every is not None and every <= 0:
            raise CommandError("--every : un nombre de secondes positif est attendu.")
        while True:
            sealed = sealer.seal()
            if every is None:
                window = sealer.unsealed()
                self.stdout.write(f"{sealed} événement(s) scellé(s) ; {window.count} en attente"
                                  + (f", le plus ancien depuis {window.age_seconds:.0f} s." if window.count else "."))
                return
            time.sleep(every)
