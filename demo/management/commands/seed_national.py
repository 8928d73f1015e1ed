"""``manage.py seed_national --cases N``: a national data set for the benchmarks (``demo.national``)."""

import time

from django.core.management.base import BaseCommand, CommandError

import audit
from demo.national import National


class Command(BaseCommand):
    help = ("Crée un jeu de données national pour les mesures de performance : une cellule par département, "
            "N signalements à tous les états, avec tâches, historiques et journal d'audit scellé.")

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True, help="nombre de signalements à créer")
        parser.add_argument("--seed", type=int, default=0, help="graine du générateur (mêmes histoires)")
        parser.add_argument("--days", type=int, default=730, help="réceptions étalées sur ce nombre de jours")

    def handle(self, *args, cases: int, seed: int, days: int, **options):
        if cases < 1 or days < 30:
            raise CommandError("--cases doit être au moins 1 et --days au moins 30.")
        started = time.monotonic()

        def progress(done: int, rows: int) -> None:
            self.stdout.write(f"{done} signalements, {rows} lignes, {time.monotonic() - started:.0f} s")

        with audit.acting(label="commande seed_national"):
            result = National(cases, seed=seed, days=days).run(progress if options["verbosity"] else None)
        self.stdout.write(self.style.SUCCESS(
            f"{result['cases']} signalements créés ({result['rows']} lignes, {result['sealed']} événements scellés) "
            f"en {time.monotonic() - started:.0f} s."))
