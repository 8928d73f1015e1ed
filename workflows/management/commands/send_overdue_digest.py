"""Daily: escalation of the tasks long overdue, then the digest of overdue tasks, one e-mail per person,
then the digest of the notifications of those who chose one (``workflows.notifications.send_digests``)."""

from collections import defaultdict

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand

from audit import jobs
from organisation.models import Membership, Role
from organisation.policy import SYSTEM
from outbox.mail import queue_mail
from ui.french import count
from workflows import digest, escalation
from workflows.models import CaseTask
from workflows.notifications import overdue_digest, send_digests


class Command(BaseCommand):
    help = ("Signale aux coordonnateurs les tâches très en retard, puis envoie à chacun le récapitulatif de "
            "ses tâches en retard, les tâches signalées en tête, et le récapitulatif de leurs notifications à qui l'a "
            "choisi (à lancer chaque jour).")

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
        sections: dict[int, list[str]] = {}  # per cellule, what the other apps add (workflows.digest)
        more: defaultdict[User, list[str]] = defaultdict(list)
        for membership in Membership.objects.active().filter(role=Role.COORDINATOR).select_related("user", "cell"):
            mine = by_user[membership.user]
            mine.extend(t for t in for_coordinators[membership.cell.departement_id] if t not in mine)
            if membership.cell_id not in sections:
                sections[membership.cell_id] = digest.sections(membership.cell)
            more[membership.user] += sections[membership.cell_id]
        sent = 0
        for user in dict.fromkeys([*by_user, *more]):  # in a stable order
            if (by_user[user] or more[user]) and user.email and user.is_active:
                queue_mail(*overdue_digest(user, by_user[user], more[user]), [user.email])
                sent += 1
        digests = send_digests()
        return (f"{count(len(escalated), 'tâche signalée', 'tâches signalées')} aux coordonnateurs ; "
                f"{count(sent, 'récapitulatif mis', 'récapitulatifs mis')} en file, "
                f"{count(len(tasks), 'tâche')} en retard ; {count(digests, 'récapitulatif')} de notifications.")
