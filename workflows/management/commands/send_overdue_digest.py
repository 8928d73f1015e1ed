"""Daily digest of overdue tasks, one e-mail per person (meant for cron)."""

from collections import defaultdict

from django.core.mail import send_mass_mail
from django.core.management.base import BaseCommand

from organisation.models import Membership, Role
from workflows.models import CaseTask
from workflows.notifications import overdue_digest


class Command(BaseCommand):
    help = "Envoie à chacun le récapitulatif de ses tâches en retard (à lancer chaque jour)."

    def handle(self, *args, **options) -> None:
        tasks = CaseTask.objects.overdue().select_related("owner", "case__departement").order_by("due_on")
        by_user = defaultdict(list)
        queued = defaultdict(list)
        for task in tasks:
            if task.owner_id:
                by_user[task.owner].append(task)
            else:
                queued[task.departement_id].append(task)
        # Tasks nobody took: the coordinators of the cellule are told.
        for membership in Membership.objects.active().filter(
            role=Role.COORDINATOR, cell__departement_id__in=queued
        ).select_related("user", "cell"):
            by_user[membership.user].extend(queued[membership.cell.departement_id])
        messages = [
            (*overdue_digest(user, user_tasks), None, [user.email])
            for user, user_tasks in by_user.items()
            if user.email and user.is_active
        ]
        sent = send_mass_mail(messages, fail_silently=False)
        self.stdout.write(f"{sent or 0} récapitulatif(s) envoyé(s), {len(tasks)} tâche(s) en retard.")
