"""What the e-mail queue holds, for the operators: the backlog, the messages waiting or failed."""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from outbox.queue import PENDING, backlog, run_due
from ui.french import count


class Command(BaseCommand):
    help = ("Liste les courriels en attente et en échec de la file d'envoi (leurs destinataires et objets, "
            "jamais leur contenu) ; --run envoie ceux qui sont dus, comme le service cellule-worker.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--failed", action="store_true", help="seulement les courriels en échec")
        parser.add_argument("--run", action="store_true", help="envoyer maintenant les courriels dus")
        parser.add_argument("--limit", type=int, default=50, help="nombre de lignes au plus (50)")

    def handle(self, *args, failed: bool, run: bool, limit: int, **options) -> None:
        if run:
            self.stdout.write(f"{count(run_due('commande-outbox'), 'tâche exécutée', 'tâches exécutées')}.")
        state = backlog()
        self.stdout.write(f"En attente : {state.pending} (dont {state.due} à envoyer maintenant, le plus ancien "
                          f"depuis {round(state.oldest_due_seconds)} s) ; en échec : {state.failed}.")
        rows = DBTaskResult.objects.failed() if failed else DBTaskResult.objects.filter(
            status__in=[*PENDING, TaskResultStatus.FAILED])
        for row in rows.order_by("enqueued_at")[:limit]:
            payload, attempt = row.args_kwargs["args"][0], row.args_kwargs["args"][2:3] or [1]
            when = ("" if row.run_after == get_date_max()
                    else f", nouvel essai à {timezone.localtime(row.run_after):%d/%m/%Y %H:%M}")
            error = row.exception_class_path.rsplit(".", 1)[-1]
            self.stdout.write(f"{row.id}  {row.get_status_display():<10} tentative {attempt[0]}{when}  "
                              f"{timezone.localtime(row.enqueued_at):%d/%m/%Y %H:%M}  {', '.join(payload['to'])}  "
                              f"« {payload['subject']} »" + (f"  [{error}]" if error else ""))
