"""Seal the events written since the last seal: once (a timer every minute), or as a service. Before
sealing, the counts of the minutes that are over become their events (``audit.tallies``)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import sealer, tallies
from ui.french import count, number


class Command(BaseCommand):
    help = ("Écrit les décomptes des minutes passées (échecs de connexion, appels refusés), scelle les événements "
            "d'audit écrits depuis le dernier scellement et affiche ce qui reste à sceller ; "
            "avec --every, recommence sans fin (service).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, metavar="SECONDES",
                            help="Recommencer toutes les SECONDES secondes, jusqu'à l'arrêt du service.")

    def handle(self, *args: Any, every: float | None = None, **options: Any) -> None:
        if every is not None and every <= 0:
            raise CommandError("--every : un nombre de secondes positif est attendu.")
        while True:
            tallies.flush()
            sealed = sealer.seal()
            if every is None:
                window = sealer.unsealed()
                sealed_text = count(sealed, "événement scellé", "événements scellés")
                self.stdout.write(f"{sealed_text} ; {number(window.count)} en attente"
                                  + (f", le plus ancien depuis {window.age_seconds:.0f} s." if window.count else "."))
                return
            time.sleep(every)
