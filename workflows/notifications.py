"""Notifications: what happened that a person should know, in their list in the product and, as they
chose (``NotificationPreference``), by e-mail at once, in the daily digest, or not at all.

``notify`` is the one way: every e-mail about a case's work goes through it, so every such e-mail is a
notification too. Neither carries the young person's name, nor any free text typed in the product: a
title made of the event and a reference, a sentence, and a link; the rest is read in the
application, where the read is traced. Each event has its own title, so that its e-mails are told apart.
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from organisation.models import Membership, Role
from outbox.mail import queue_mail
from ui.french import count
from workflows.kinds import Subject
from workflows.models import CaseTask, EmailChoice, Notification, NotificationPreference

PREFIX = "[Cellule de suivi] "


def link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def coordinators(departement_id: int | None = None, *, code: str = "") -> list[User]:
    """The active coordinators of a département's cellule (by its id, or its code)."""
    memberships = Membership.objects.active().filter(role=Role.COORDINATOR).select_related("user")
    memberships = memberships.filter(cell__departement__code=code) if code else memberships.filter(
        cell__departement_id=departement_id)
    return list({m.user.pk: m.user for m in memberships if m.user.is_active}.values())


def notify(recipients: Iterable[User | None], *, kind: str, title: str, text: str, path: str,
           case: Subject | None = None) -> list[Notification]:
    """Tell each active recipient: a notification in their list, and by e-mail as they chose (one
    message to all who want each event, the others' left for their digest). Queued in the caller's
    transaction: nothing is told of a change that rolls back. ``case`` only where every recipient may
    open it (the title and text may then give its reference)."""
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not people:
        return []
    wants = _email_choices(people, case)
    made = Notification.objects.bulk_create([
        Notification(recipient_id=pk, kind=kind, title=title, text=text, path=path, case=case,
                     in_digest=wants[pk] == EmailChoice.DIGEST)
        for pk in sorted(people)])
    each = sorted({people[pk].email for pk in people if wants[pk] == EmailChoice.EACH and people[pk].email})
    if each:
        queue_mail(PREFIX + title, f"Bonjour,\n\n{text}\n\n{link(path)}\n", each)
    return made


def email_choice(user: str) -> Subquery:
    """The e-mail choice of the person the field ``user`` of the rows read names (None: no choice made,
    a courriel à chaque notification), to read with them and give to ``knows``."""
    return Subquery(NotificationPreference.objects.filter(user=OuterRef(user)).values("email")[:1])


def knows(case: Subject, choices: dict[int, str | None]) -> None:
    """The e-mail choices of these people (``email_choice``), read with what the entry point locked:
    the notifications it makes on ``case`` ask them no more."""
    known: dict[int, str] = getattr(case, "_email_choices", {})
    case._email_choices = {**known, **{pk: choice or EmailChoice.EACH for pk, choice in choices.items()}}  # type: ignore[attr-defined]  # as _email_choices


def _email_choices(people: Iterable[int], case: Subject | None) -> dict[int, str]:
    """How each person wants their e-mails, read once per entry point: kept on the case it locked,
    whose several notifications (a task given, a référent named) ask again of the same people."""
    known: dict[int, str] = getattr(case, "_email_choices", {})
    missing = [pk for pk in people if pk not in known]
    if missing:
        chosen = dict(NotificationPreference.objects.filter(user_id__in=missing).values_list("user_id", "email"))
        known = {**known, **{pk: chosen.get(pk, EmailChoice.EACH) for pk in missing}}
        if case is not None:
            case._email_choices = known  # type: ignore[attr-defined]  # this copy of the case, for its entry point
    return {pk: known[pk] for pk in people}


def notify_assigned(task: CaseTask) -> None:
    """Tell the owner a task was given to them: queued in the transaction that gives it, titled as its
    kind says (``TaskKind.told_as``: a review falling due is told as such)."""
    reference = task.case.reference
    kind = task.kind
    title = kind.told_as.format(reference=reference) if kind is not None else f"Nouvelle tâche — {reference}"
    notify([task.owner], kind=f"task.{task.flow_task_name}", title=title,
           text=f"La tâche « {task.label} » du signalement {reference} vous est attribuée, à traiter avant le "
                f"{task.due_on:%d/%m/%Y}.",
           path=reverse("workflows:task", args=[task.pk]), case=task.case)


def overdue_digest(user: User, tasks: Iterable[CaseTask], sections: Iterable[str] = ()) -> tuple[str, str]:
    """Subject and body of one user's digest of overdue tasks, with the other apps' ``sections`` for the
    coordinators (``workflows.digest``)."""
    lines = [
        f"- {task.case.reference} : {task.label}, échue le {task.due_on:%d/%m/%Y}"
        + (" — signalée aux coordonnateurs" if task.escalated_on else "")
        for task in sorted(tasks, key=lambda task: (task.escalated_on is None, task.due_on))
    ]
    more = list(sections)
    subject = (f"{PREFIX}{count(len(lines), 'tâche')} en retard" if lines
               else f"{PREFIX}Signalements à surveiller")
    body = (
        f"Bonjour {user.get_full_name() or user.get_username()},\n\n"
        + ("Les tâches suivantes ont dépassé leur échéance :\n" + "\n".join(lines) + "\n\n" if lines else "")
        + ("\n".join(more) + "\n\n" if more else "")
        + f"Votre boîte de réception : {link(reverse('workflows:inbox'))}\n"
    )
    return subject, body


def send_digests() -> int:
    """Each person who chose the daily digest gets one e-mail of the notifications made since the last
    one (their titles and links, as in the product); returns how many were queued."""
    waiting = list(Notification.objects.filter(in_digest=True).select_related("recipient").order_by("created_at", "pk"))
    by_person: dict[User, list[Notification]] = {}
    for notification in waiting:
        by_person.setdefault(notification.recipient, []).append(notification)
    sent = 0
    for person, notifications in by_person.items():
        if person.is_active and person.email:
            lines = [f"- {timezone.localtime(n.created_at):%d/%m %H:%M} — {n.title}\n  {link(n.path)}"
                     for n in notifications]
            queue_mail(f"{PREFIX}Récapitulatif : {count(len(notifications), 'notification')}",
                       "Bonjour,\n\nDepuis le dernier récapitulatif :\n" + "\n".join(lines)
                       + f"\n\nVos notifications : {link(reverse('notifications:list'))}\n", [person.email])
            sent += 1
    Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(in_digest=False)
    return sent
