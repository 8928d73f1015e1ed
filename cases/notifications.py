"""E-mails about transfers, to the coordinators of each side. Like every e-mail, they carry no
name of the young person: the reference and a link; to the receiving side, the link only."""

from django.urls import reverse
from django.utils import timezone

from organisation.models import Membership, Role
from outbox.mail import queue_mail
from workflows.notifications import link


def _coordinators(departement_id: int) -> list[str]:
    coordinators = Membership.objects.active().filter(
        role=Role.COORDINATOR, cell__departement_id=departement_id).select_related("user")
    return sorted({m.user.email for m in coordinators if m.user.email and m.user.is_active})


def notify_transfer_requested(request) -> None:
    """The receiving cellule's coordinators are asked to accept or refuse. Not even the reference: a
    mailbox keeps what a refusal or a withdrawal must leave nothing of; the page shows it."""
    subject = f"[Cellule de suivi] Transfert entrant à accepter — département {request.case.departement.code}"
    body = (
        "Bonjour,\n\n"
        f"La cellule du département {request.case.departement} demande le transfert d'un signalement vers "
        "votre département. Acceptez-le ou refusez-le :\n\n"
        f"{link(reverse('cases:transfer', args=[request.pk]))}\n"
    )
    queue_mail(subject, body, _coordinators(request.destination_id))


def notify_transfer_decided(request) -> None:
    """The sending cellule's coordinators learn the answer; the reason of a refusal, a text its writer
    may have named someone in, stays on the case page (an e-mail is kept outside the product)."""
    accepted = request.new_case_id is not None
    answer = "accepté." if accepted else "refusé : le motif est indiqué sur la page du signalement."
    subject = f"[Cellule de suivi] Transfert {'accepté' if accepted else 'refusé'} — {request.case.reference}"
    body = (
        "Bonjour,\n\n"
        f"Le transfert du signalement {request.case.reference} vers le département {request.destination} a été "
        f"{answer}\n\n{link(reverse('cases:detail', args=[request.case_id]))}\n"
    )
    queue_mail(subject, body, _coordinators(request.case.departement_id))


def notify_transfer_withdrawn(request) -> None:
    """The receiving cellule's coordinators need not answer any more (named by its date, as asked)."""
    queue_mail(f"[Cellule de suivi] Transfert retiré — département {request.case.departement.code}",
               f"Bonjour,\n\nLa cellule du département {request.case.departement} a retiré sa demande de transfert "
               f"du {timezone.localtime(request.requested_at):%d/%m/%Y} : il n'y a plus de réponse à donner.\n",
               _coordinators(request.destination_id))
