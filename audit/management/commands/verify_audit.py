"""Re-compute the audit trail's hash chain and name its first broken link."""

from django.core.management.base import BaseCommand, CommandError

from audit import chain
from audit.models import Event


class Command(BaseCommand):
    help = "Vérifie l'intégrité du journal d'audit (chaîne d'empreintes SHA-256)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--since", type=int, metavar="ID",
            help="Vérifier à partir de cet événement (identifiant), en partant de l'empreinte du précédent.",
        )

    def handle(self, *args, since: int | None = None, **options) -> None:
        events = Event.objects.all()
        previous_seq, previous_hash = 0, chain.GENESIS
        if since is not None:
            start = Event.objects.filter(pk=since).values("seq").first()
            if start is None:
                raise CommandError(f"Aucun événement d'identifiant {since}.")
            before = Event.objects.filter(seq__lt=start["seq"]).order_by("-seq").values("seq", "hash").first()
            if before is not None:
                previous_seq, previous_hash = before["seq"], before["hash"]
            elif start["seq"] != 1:
                raise CommandError(f"L'événement précédant #{since} est absent : vérifiez sans --since.")
            events = events.filter(seq__gte=start["seq"])
        result = chain.verify(chain.rows(events), previous_seq, previous_hash)
        if not result.ok:
            raise CommandError(
                f"Journal d'audit altéré après {result.verified} événement(s) vérifié(s) : "
                f"première rupture à l'{result.broken}."
            )
        self.stdout.write(
            f"Journal d'audit intègre : {result.verified} événement(s) vérifié(s), "
            f"dernier rang {result.last_seq}, empreinte {result.last_hash}."
        )
