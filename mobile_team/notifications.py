"""E-mails between the cellules and the mobile team: a new request to every agent, each answer of
the team to the cellule's coordinators. Like every e-mail, they carry no name of the young person."""

from django.urls import reverse

from organisation.models import Membership, Role
from outbox.mail import queue_mail
from workflows.notifications import link


def _team_addresses() -> list[str]:
    agents = Membership.objects.active().filter(role=Role.MOBILE_TEAM).select_related("user")
    return sorted({m.user.email for m in agents if m.user.email and m.user.is_active})


def notify_team_of_request(request) -> None:
    """Every mobile team agent learns of a new request: département, help expected, urgency."""
    urgent = " — URGENTE" if request.urgency == "urgent" else ""
    queue_mail(
        f"[Cellule de suivi] Nouvelle demande d'intervention ({request.departement}){urgent}",
        f"Une cellule de suivi sollicite l'équipe mobile d'intervention : {request.get_expected_display().lower()}."
        f"\n\n{link(reverse('mobile_team:request', args=[request.pk]))}\n",
        _team_addresses(),
    )


def notify_team_of_withdrawal(request) -> None:
    """The agent handling the request, or every agent while nobody has taken it, learns that the
    cellule withdrew it (by itself, or by closing or transferring the case)."""
    agent = request.handled_by
    queue_mail(
        f"[Cellule de suivi] Demande d'intervention n° {request.pk} retirée ({request.departement})",
        "La cellule de suivi a retiré la demande."  # not its reason: a closure's note is about the young person
        f"\n\n{link(reverse('mobile_team:request', args=[request.pk]))}\n",
        [agent.email] if agent and agent.email and agent.is_active else _team_addresses(),
    )


def _coordinator_addresses(departement: str) -> list[str]:
    coordinators = Membership.objects.active().filter(
        role=Role.COORDINATOR, cell__departement__code=departement).select_related("user")
    return sorted({m.user.email for m in coordinators if m.user.email and m.user.is_active})


def notify_coordinators_of_answer(request, answer: str) -> None:
    """The cellule's coordinators learn of each answer of the team."""
    queue_mail(
        f"[Cellule de suivi] Réponse de l'équipe mobile — {request.case.reference}",
        f"{answer}\n\n{link(reverse('cases:detail', args=[request.case_id]))}\n",
        _coordinator_addresses(request.departement),
    )


def notify_of_message(message) -> None:
    """The other side learns that a message awaits it: a link only, never the message itself (it
    may name the young person). The team's messages go to the cellule's coordinators; the cellule's
    to the agent handling the request, or every agent while nobody has taken it."""
    request = message.request
    if message.from_team:
        url, to = reverse("cases:detail", args=[request.case_id]), _coordinator_addresses(request.departement)
    else:
        agent = request.handled_by
        url = reverse("mobile_team:request", args=[request.pk])
        to = [agent.email] if agent and agent.email and agent.is_active else _team_addresses()
    queue_mail(
        f"[Cellule de suivi] Nouveau message sur la demande d'intervention n° {request.pk} ({request.departement})",
        f"Un message vous attend sur la demande d'intervention n° {request.pk}.\n\n{link(url)}\n",
        to,
    )
