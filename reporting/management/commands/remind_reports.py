"""Daily: remind the coordinators of the monthly reports not sent by the day the settings say."""

from django.core.management.base import BaseCommand

from audit import jobs
from reporting.reminders import remind
from ui.french import count


class Command(BaseCommand):
    help = "Rappelle aux coordonnateurs le compte rendu mensuel du mois passé non envoyé (à lancer chaque jour)."

    def handle(self, *args, **options) -> None:
        with jobs.exclusive("remind_reports") as run:
            if run is None:
                self.stdout.write("Rappel déjà en cours sur une autre machine : rien à faire ici.")
                return
            run.result = f"{count(remind(), 'cellule rappelée', 'cellules rappelées')}."
            self.stdout.write(run.result)
