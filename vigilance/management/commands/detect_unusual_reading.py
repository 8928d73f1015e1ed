"""Daily: raise the alerts on unusual reading of a day (yesterday by default) in every cellule."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit import jobs
from organisation.policy import SYSTEM
from ui.french import count
from vigilance import actions


class Command(BaseCommand):
    help = ("Lève les alertes de lecture inhabituelle d'un jour, la veille par défaut (à lancer chaque nuit ; "
            "docs/alertes-lecture.md).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--jour", help="le jour examiné, AAAA-MM-JJ (la veille par défaut)")

    def handle(self, *args, **options) -> None:
        try:
            day = (datetime.date.fromisoformat(options["jour"]) if options["jour"]
                   else timezone.localdate() - datetime.timedelta(days=1))
        except ValueError:
            raise CommandError("Le jour s'écrit AAAA-MM-JJ, par exemple 2026-03-31.") from None
        with jobs.exclusive("detect_unusual_reading") as run:
            if run is None:
                self.stdout.write("Détection déjà en cours sur une autre machine : rien à faire ici.")
                return
            raised = actions.detect(SYSTEM, day)
            raised_now = count(len(raised), "alerte levée", "alertes levées", none="Aucune alerte levée")
            run.result = f"{raised_now} pour le {day:%d/%m/%Y}."
            self.stdout.write(run.result)
