"""Archive the trail's events past RETENTION_AUDIT_YEARS and covered by a checkpoint, then remove them
(audit.archives). Run with the database owner's rights: the application's role may not remove events."""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

import audit
from audit import archives, jobs
from audit.proofs import ProofError


class Command(BaseCommand):
    help = ("Archive hors de la base (AUDIT_ARCHIVE_DIR) les événements du journal d'audit passés leur durée de "
            "conservation et couverts par un point de contrôle, signe l'archive, puis les retire de la base.")

    def handle(self, *args: Any, **options: Any) -> None:
        with jobs.exclusive("archive_audit") as run:
            if run is None:
                self.stdout.write("Archivage déjà en cours sur une autre machine : rien à faire ici.")
                return
            try:
                made = archives.archive()
            except (archives.NoArchiveDirectory, ImproperlyConfigured, OSError) as error:
                raise CommandError(str(error)) from None
            except ProofError as error:
                raise CommandError(f"Archivage refusé, rien n'a été retiré : {error}.") from None
            if made is None:
                run.result = "rien à archiver"
                self.stdout.write("Aucun événement à archiver (durée de conservation, point de contrôle).")
                return
            with audit.acting(label="archive_audit"):
                audit.record("audit.archive", details={"premier_rang": made.first_seq, "dernier_rang": made.last_seq,
                                                       "fichier": made.name, "sha256": made.sha256})
            run.result = f"rangs {made.first_seq} à {made.last_seq} archivés"
            self.stdout.write(f"Événements des rangs {made.first_seq} à {made.last_seq} archivés dans {made.name} "
                              "et retirés de la base.")
