"""Daily: escalation of the tasks long overdue, then the digest of overdue tasks, one e-mail per person."""

from collections import defaultdict

from django.core.management.base import BaseCommand

from audit import jobs
from organisation.models import Membership, Role
from organisation.policy import SYSTEM
from outbox.mail import queue_mail
from workflows import escalation
from workflows.models import CaseTask
from workflows.notifications import overdue_digest


class Command(BaseCommand):
    help = ("Signale aux coordonnateurs les tâches très en retard, puis envoie à chacun le récapitulatif de "
            "ses tâches en retard, les tâches signalées en tête (à lancer chaque jour).")

    def handle(self, *args, **options) -> None:
        with jobs.exclusive("send_overdue_digest") as run:
            if run is None:
                self.stdout.write("Récapitulatif déjà en cours sur une autre machine : rien à faire ici.")
                return
            run.result = self.escalate_and_send()
            self.stdout.write(run.result)

    def escalate_and_send(self) -> str:
        escalated = escalation.escalate(SYSTEM)
        tasks = CaseTask.objects.overdue().select_related("owner", "case__departement").order_by("due_on")
        by_user = defaultdict(list)
        for_coordinators = defaultdict(list)
        for task in tasks:
            if task.owner_id:
                by_user[task.owner].append(task)
            # Tasks nobody took, and those escalated: the coordinators of the cellule are told.
            if not task.owner_id or task.escalated_on:
                for_coordinators[task.departement_id].append(task)
        for membership in Membership.objects.active().filter(
            role=Role.COORDINATOR, cell__departement_id__in=for_coordinators
        ).select_related("user", "cell"):
            mine = by_user[membership.user]
            mine.extend(t for t in for_coordinators[membership.cell.departement_id] if t not in mine)
        sent = 0
        for user, user_tasks in by_user.items():
            if user.email and user.is_active:
                queue_mail(*overdue_digest(user, user_tasks), [user.email])
                sent += 1
        return (f"{len(escalated)} tâche(s) signalée(s) aux coordonnateurs ; {sent} récapitulatif(s) mis en file, "
                f"{len(tasks)} tâche(s) en retard.")
