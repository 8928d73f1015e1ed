"""Notifications about transfers, signalements, référents and notes (``workflows.notify``).
Like every notification, they carry no name of the young person: the reference and a link; to the
receiving side of a transfer, the link only."""

import re

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from cases.rules import CaseRight, sees_note
from organisation import policy
from organisation.models import Membership
from workflows.notifications import coordinators, notify


def notify_transfer_requested(request) -> None:
    """The receiving cellule's coordinators are asked to accept or refuse. Not even the reference: a
    mailbox keeps what a refusal or a withdrawal must leave nothing of; the page shows it."""
    notify(coordinators(request.destination_id), kind="transfer_requested",
           title=f"Transfert entrant à accepter — département {request.case.departement.code}",
           text=f"La cellule du département {request.case.departement} demande le transfert d'un signalement vers "
                "votre département. Acceptez-le ou refusez-le.",
           path=reverse("cases:transfer", args=[request.pk]))


def notify_transfer_decided(request) -> None:
    """The sending cellule's coordinators learn the answer; the reason of a refusal, a text its writer
    may have named someone in, stays on the case page (an e-mail is kept outside the product)."""
    accepted = request.new_case_id is not None
    answer = "accepté." if accepted else "refusé : le motif est indiqué sur la page du signalement."
    notify(coordinators(request.case.departement_id), kind="transfer_accepted" if accepted else "transfer_refused",
           title=f"Transfert {'accepté' if accepted else 'refusé'} — {request.case.reference}",
           text=f"Le transfert du signalement {request.case.reference} vers le département {request.destination} "
                f"a été {answer}",
           path=reverse("cases:detail", args=[request.case_id]), case=request.case)


def notify_transfer_withdrawn(request) -> None:
    """The receiving cellule's coordinators need not answer any more (named by its date, as asked)."""
    notify(coordinators(request.destination_id), kind="transfer_withdrawn",
           title=f"Transfert retiré — département {request.case.departement.code}",
           text=f"La cellule du département {request.case.departement} a retiré sa demande de transfert du "
                f"{timezone.localtime(request.requested_at):%d/%m/%Y} : il n'y a plus de réponse à donner.",
           path=reverse("notifications:list"))


def notify_signalement(signalement) -> None:
    """A further signalement on a followed case: its référent, or its coordinators while it has none."""
    case = signalement.case
    referent = case.referent if case.referent is not None and case.referent.is_active else None
    notify([referent] if referent else coordinators(case.departement_id), kind="signalement_added",
           title=f"Nouveau signalement sur {case.reference}",
           text=f"Un nouveau signalement ({signalement.get_source_display()}, reçu le "
                f"{signalement.received_on:%d/%m/%Y}) concernant le jeune du signalement {case.reference} a été "
                "enregistré sur ce dossier.",
           path=reverse("cases:detail", args=[case.pk]), case=case)


def notify_referent(case, referent) -> None:
    """The member named référent of a case learns it (the tasks that come with it are told apart)."""
    notify([referent], kind="referent_named", title=f"Un signalement vous est confié — {case.reference}",
           text=f"Le suivi du signalement {case.reference} vous est confié.",
           path=reverse("cases:detail", args=[case.pk]), case=case)


# "@login" in a note names a member of the cellule; a final full stop ends the sentence, not the login.
MENTION = re.compile(r"@([\w.+-]*\w)")


def notify_note(note, *, by_partner: bool) -> None:
    """A partner's note is told to those it is written to (the référent, the coordinators, the members
    it names); a note that mentions ``@login`` to the member mentioned, if they may read it. Told once,
    never to its author; neither the note nor its author's institution is in the notification."""
    case = note.case
    path, told = reverse("cases:detail", args=[case.pk]), {note.author_id}
    if by_partner:
        readers = [user for user in [case.referent, *coordinators(case.departement_id), *note.named.all()]
                   if user is not None and user.pk not in told]
        notify(readers, kind="partner_note", title=f"Note d'un partenaire — {case.reference}",
               text=f"Un partenaire de la prise en charge a écrit une note sur le signalement {case.reference}.",
               path=path, case=case)
        told |= {user.pk for user in readers}
    notify([user for user in mentioned(note) if user.pk not in told], kind="note_mention",
           title=f"Une note vous mentionne — {case.reference}",
           text=f"Une note du signalement {case.reference} vous mentionne.", path=path, case=case)


def mentioned(note) -> list[User]:
    """The active members of the case's cellule a note mentions who may read it (``sees_note``)."""
    logins = set(MENTION.findall(note.text))
    if not logins:
        return []
    case = note.case
    users = {m.user for m in Membership.objects.active().filter(
        cell__departement_id=case.departement_id, user__username__in=logins, user__is_active=True,
    ).select_related("user")}
    return sorted((user for user in users if _reads(user, note)), key=lambda user: user.pk)


def _reads(user: User, note) -> bool:
    case = note.case
    if policy.can(user, CaseRight.VIEW_CASE, case):
        return sees_note(user, note, case)
    return policy.can(user, CaseRight.VIEW_REFERRAL, case) and sees_note(user, note, case, partner=True)
