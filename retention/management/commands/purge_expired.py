"""Daily: erase the personal data of the cases past their retention period (retention/periods.py)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from audit import jobs
from organisation.policy import SYSTEM
from retention import actions
from retention.periods import Periods, expired
from ui.french import count


class Command(BaseCommand):
    help = ("Efface les données personnelles des signalements dont la durée de conservation est écoulée "
            "(hors gel de conservation) ; --dry-run liste ce qui serait effacé sans rien changer (à lancer "
            "chaque jour).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="lister sans effacer")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        today = timezone.localdate()
        if dry_run:
            self.list(today)
            return
        with jobs.exclusive("purge_expired") as run:
            if run is None:
                self.stdout.write("Purge déjà en cours sur une autre machine : rien à faire ici.")
                return
            erased = [case.reference for case in expired(today) if actions.erase(SYSTEM, case, today) is not None]
            run.result = count(len(erased), "signalement effacé", "signalements effacés")
            self.stdout.write(f"{run.result}{' : ' + ', '.join(erased) if erased else '.'}")

    def list(self, today) -> None:
        cases = list(expired(today))
        periods = Periods.current()
        for case in cases:
            rule = (f"sans suite, {count(periods.not_relevant_years, 'an')}" if case.not_relevant
                    else f"clôturé, {count(periods.closed_years, 'an')}")
            closed = f"clôturé le {case.closed_on:%d/%m/%Y}"
            self.stdout.write(f"{case.reference}\t{case.departement.code}\t{closed}\t{rule}")
        self.stdout.write(f"{count(len(cases), 'signalement serait effacé', 'signalements seraient effacés')} "
                          "(--dry-run : rien n'a changé).")
