"""E-mails about tasks: to whom a task is given, and the daily digest of overdue tasks.

E-mails never carry the young person's name: the reference and a link are enough, the rest is
read in the application, where the read is traced.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse


def _link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def notify_assigned(task) -> None:
    """Tell the owner a task was given to them, once the transaction that gave it commits."""
    owner = task.owner
    if owner is None or not owner.email:
        return
    subject = f"[Cellule de suivi] Nouvelle tâche : {task.get_flow_task_name_display()} — {task.case.reference}"
    body = (
        f"Bonjour {owner.get_full_name() or owner.get_username()},\n\n"
        f"La tâche « {task.get_flow_task_name_display()} » du signalement {task.case.reference} "
        f"vous est attribuée, à traiter avant le {task.due_on:%d/%m/%Y}.\n\n"
        f"{_link(reverse('workflows:task', args=[task.pk]))}\n"
    )
    _send_on_commit(subject, body, [owner.email])


def overdue_digest(user, tasks) -> tuple[str, str]:
    """Subject and body of one user's digest of overdue tasks."""
    lines = [
        f"- {task.case.reference} : {task.get_flow_task_name_display()}, échue le {task.due_on:%d/%m/%Y}"
        for task in tasks
    ]
    subject = f"[Cellule de suivi] {len(lines)} tâche(s) en retard"
    body = (
        f"Bonjour {user.get_full_name() or user.get_username()},\n\n"
        "Les tâches suivantes ont dépassé leur échéance :\n" + "\n".join(lines)
        + f"\n\nVotre boîte de réception : {_link(reverse('workflows:inbox'))}\n"
    )
    return subject, body


def _send_on_commit(subject: str, body: str, recipients: list[str]) -> None:
    if recipients:
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


def notify_team_of_request(request) -> None:
    """Every mobile team agent learns of a new request: département, help expected, urgency."""
    from organisation.models import Membership, Role

    agents = Membership.objects.active().filter(role=Role.MOBILE_TEAM).select_related("user")
    urgent = " — URGENTE" if request.urgency == "urgent" else ""
    _send_on_commit(
        f"[Cellule de suivi] Nouvelle demande d'intervention ({request.departement}){urgent}",
        f"Une cellule de suivi sollicite l'équipe mobile d'intervention : {request.get_expected_display().lower()}."
        f"\n\n{_link(reverse('mobile_team:request', args=[request.pk]))}\n",
        sorted({m.user.email for m in agents if m.user.email and m.user.is_active}),
    )


def notify_coordinators_of_answer(request, answer: str) -> None:
    """The cellule's coordinators learn of each answer of the team."""
    from organisation.models import Membership, Role

    coordinators = Membership.objects.active().filter(
        role=Role.COORDINATOR, cell__departement__code=request.departement).select_related("user")
    _send_on_commit(
        f"[Cellule de suivi] Réponse de l'équipe mobile — {request.case.reference}",
        f"{answer}\n\n{_link(reverse('cases:detail', args=[request.case_id]))}\n",
        sorted({m.user.email for m in coordinators if m.user.email and m.user.is_active}),
    )
