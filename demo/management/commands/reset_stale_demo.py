"""Delete a demo SQLite database left by an older layout of the apps, so that `migrate` rebuilds it.

The apps were split and each got one new initial migration: a demo database made before
records migrations that no longer exist and would fail to migrate. No deployment holds real data
yet, so the demo is rebuilt rather than migrated; any other database is never touched.
"""

import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from ui.french import count


def stale_migrations(path: Path) -> set[tuple[str, str]]:
    """The migrations the database at ``path`` records as applied but that no app has any more."""
    with sqlite3.connect(path) as db:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='django_migrations'").fetchone():
            return set()
        applied = set(db.execute("SELECT app, name FROM django_migrations"))
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return applied - on_disk


class Command(BaseCommand):
    help = "Mode démonstration : supprime une base SQLite d'une version antérieure pour qu'elle soit reconstruite."

    def add_arguments(self, parser):
        parser.add_argument("--database", help="fichier SQLite (par défaut, celui de DATABASE_URL)")

    def handle(self, *args, database=None, **options):
        if not settings.DEMO:
            raise CommandError("Commande réservée au mode démonstration (DEMO=1) : aucune base n'a été modifiée.")
        if database is None:
            if connections["default"].vendor != "sqlite":
                self.stdout.write("Seule une base SQLite de démonstration est reconstruite : "
                                  "celle-ci n'est pas touchée.")
                return
            database = settings.DATABASES["default"]["NAME"]
        path = Path(database)
        if not path.is_file():
            self.stdout.write("Pas encore de base de démonstration : elle va être créée.")
            return
        stale = stale_migrations(path)
        if not stale:
            self.stdout.write("Base de démonstration à jour.")
            return
        connections.close_all()
        path.unlink()
        gone = "n'existent" if len(stale) > 1 else "n'existe"
        self.stdout.write(f"Base de démonstration d'une version antérieure ({count(len(stale), 'migration')} qui "
                          f"{gone} plus) : supprimée, elle va être reconstruite.")
