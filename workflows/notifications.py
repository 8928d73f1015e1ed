"""E-mails about tasks: to whom a task is given, and the daily digest of overdue tasks.

E-mails never carry the young person's name: the reference and a link are enough, the rest is
read in the application, where the read is traced.
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse

from outbox.mail import queue_mail
from workflows.models import CaseTask


def link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def notify_assigned(task) -> None:
    """Tell the owner a task was given to them: queued in the transaction that gives it."""
    owner = task.owner
    if owner is None or not owner.email:
        return
    subject = f"[Cellule de suivi] Nouvelle tâche : {task.label} — {task.case.reference}"
    body = (
        f"Bonjour {owner.get_full_name() or owner.get_username()},\n\n"
        f"La tâche « {task.label} » du signalement {task.case.reference} "
        f"vous est attribuée, à traiter avant le {task.due_on:%d/%m/%Y}.\n\n"
        f"{link(reverse('workflows:task', args=[task.pk]))}\n"
    )
    queue_mail(subject, body, [owner.email])


def overdue_digest(user: User, tasks: Iterable[CaseTask], sections: Iterable[str] = ()) -> tuple[str, str]:
    """Subject and body of one user's digest of overdue tasks, with the other apps' ``sections`` for the
    coordinators (``workflows.digest``)."""
    lines = [
        f"- {task.case.reference} : {task.label}, échue le {task.due_on:%d/%m/%Y}"
        + (" — signalée aux coordonnateurs" if task.escalated_on else "")
        for task in sorted(tasks, key=lambda task: (task.escalated_on is None, task.due_on))
    ]
    more = list(sections)
    subject = (f"[Cellule de suivi] {len(lines)} tâche{'s' if len(lines) > 1 else ''} en retard" if lines
               else "[Cellule de suivi] Signalements à surveiller")
    body = (
        f"Bonjour {user.get_full_name() or user.get_username()},\n\n"
        + ("Les tâches suivantes ont dépassé leur échéance :\n" + "\n".join(lines) + "\n\n" if lines else "")
        + ("\n".join(more) + "\n\n" if more else "")
        + f"Votre boîte de réception : {link(reverse('workflows:inbox'))}\n"
    )
    return subject, body

