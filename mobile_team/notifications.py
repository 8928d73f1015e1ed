"""Notifications between the cellules and the mobile team (``workflows.notify``): a new request to every
agent, each answer of the team to the cellule's coordinators, each titled after its event. Like every
notification, they carry no name of the young person, nor a message's text."""

from django.contrib.auth.models import User
from django.urls import reverse

from organisation.models import Membership, Role
from workflows.notifications import coordinators, notify

# The team's answers, each with its own title (the reference follows).
ANSWERS = {
    "accepted": "Demande acceptée par l'équipe mobile",
    "declined": "Demande déclinée par l'équipe mobile",
    "scheduled": "Intervention programmée par l'équipe mobile",
    "reported": "Compte rendu d'intervention reçu",
    "completed": "Intervention de l'équipe mobile terminée",
}


def _team() -> list[User]:
    agents = Membership.objects.active().filter(role=Role.MOBILE_TEAM).select_related("user")
    return list({m.user.pk: m.user for m in agents if m.user.is_active}.values())


def _handler_or_team(request) -> list[User]:
    """The agent handling the request, or every agent while nobody has taken it."""
    agent = request.handled_by
    return [agent] if agent is not None and agent.is_active else _team()


def notify_team_of_request(request) -> None:
    """Every mobile team agent learns of a new request: département, help expected, urgency."""
    urgent = " — URGENTE" if request.urgency == "urgent" else ""
    notify(_team(), kind="mobile_request", title=f"Nouvelle demande d'intervention ({request.departement}){urgent}",
           text=f"Une cellule de suivi sollicite l'équipe mobile d'intervention : "
                f"{request.get_expected_display().lower()}.",
           path=reverse("mobile_team:request", args=[request.pk]))


def notify_team_of_withdrawal(request) -> None:
    """The agent handling the request, or every agent while nobody has taken it, learns that the
    cellule withdrew it (by itself, or by closing or transferring the case)."""
    notify(_handler_or_team(request), kind="mobile_withdrawn",
           title=f"Demande d'intervention n° {request.pk} retirée ({request.departement})",
           # not its reason: a closure's note is about the young person
           text="La cellule de suivi a retiré la demande.",
           path=reverse("mobile_team:request", args=[request.pk]))


def notify_coordinators_of_answer(request, event: str, answer: str) -> None:
    """The cellule's coordinators learn of each answer of the team (``event``: one of ``ANSWERS``)."""
    notify(coordinators(code=request.departement), kind=f"mobile_{event}",
           title=f"{ANSWERS[event]} — {request.case.reference}", text=answer,
           path=reverse("cases:detail", args=[request.case_id]), case=request.case)


def notify_of_message(message) -> None:
    """The other side learns that a message awaits it: a link only, never the message itself (it
    may name the young person). The team's messages go to the cellule's coordinators; the cellule's
    to the agent handling the request, or every agent while nobody has taken it."""
    request = message.request
    title = f"Nouveau message sur la demande d'intervention n° {request.pk} ({request.departement})"
    text = f"Un message vous attend sur la demande d'intervention n° {request.pk}."
    if message.from_team:
        notify(coordinators(code=request.departement), kind="mobile_message_to_cellule",
               title=f"{title} — {request.case.reference}", text=text,
               path=reverse("cases:detail", args=[request.case_id]), case=request.case)
    else:
        notify(_handler_or_team(request), kind="mobile_message_to_team", title=title, text=text,
               path=reverse("mobile_team:request", args=[request.pk]))
