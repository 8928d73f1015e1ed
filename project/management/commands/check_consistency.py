"""``manage.py check_consistency``: the invariants the entry points keep, on the whole database
(``project.consistency``); fails, naming the first rows, when one is broken."""

import time

from django.core.management.base import BaseCommand, CommandError

from project import consistency
from ui.french import count, number


class Command(BaseCommand):
    help = ("Vérifie sur toute la base les invariants que tiennent les points d'entrée : tâches ouvertes "
            "selon l'état, historiques, copies des lignes de tâche, compteurs, journal d'audit.")

    def handle(self, *args, **options):
        started = time.monotonic()
        broken = 0
        for label, found, examples in consistency.run():
            if found:
                broken += 1
                self.stdout.write(self.style.ERROR(f"✗ {label} : {number(found)} en défaut ({', '.join(examples)}…)"))
            else:
                self.stdout.write(f"✓ {label}")
        if broken:
            raise CommandError(f"{count(broken, 'invariant')} en défaut.")
        self.stdout.write(self.style.SUCCESS(f"Base cohérente ({time.monotonic() - started:.1f} s)."))
