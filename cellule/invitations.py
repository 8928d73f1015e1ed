"""A meeting's iCalendar invitation (RFC 5545 / iTIP), e-mailed to the cellule's members.

One UID per meeting, so that calendars update the same event: METHOD:REQUEST when it is scheduled or
changed (its SEQUENCE raised each time), METHOD:CANCEL when it is cancelled. The invitation names no
case: the agenda is read in the application, where each reader sees only the cases they may open.
"""

import datetime
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from cellule.models import Meeting
from outbox.mail import enqueue
from workflows.notifications import link

DURATION = datetime.timedelta(hours=2)  # a meeting's usual length, for the calendars


def uid(meeting: Meeting) -> str:
    return f"reunion-{meeting.pk}@{urlsplit(settings.SITE_URL).hostname or 'cellule-de-suivi'}"


def calendar(meeting: Meeting, method: str) -> bytes:
    """The ``VCALENDAR`` of ``method`` (``REQUEST`` or ``CANCEL``) for the meeting as it stands."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Cellule de suivi//Réunions//FR")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = icalendar.Event()
    event.add("uid", uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", datetime.datetime.now(datetime.UTC))
    event.add("dtstart", meeting.held_at)
    event.add("dtend", meeting.held_at + DURATION)
    event.add("summary", f"Réunion de la cellule de suivi — {meeting.cell}")
    event.add("description", f"Ordre du jour : {link(reverse('meetings:detail', args=[meeting.pk]))}")
    event.add("organizer", f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    for email in _recipients(meeting):
        event.add("attendee", f"mailto:{email}", parameters={"ROLE": "REQ-PARTICIPANT", "RSVP": "FALSE"})
    cal.add_component(event)
    return cal.to_ical()


def send(meeting: Meeting, method: str) -> None:
    """Queue the invitation (or its cancellation) to the members of the cellule on the meeting's day, in
    the current transaction."""
    recipients = _recipients(meeting)
    if not recipients or meeting.held_at <= timezone.now():  # a meeting recorded once held: no invitation
        return
    when = f"{timezone.localtime(meeting.held_at):%d/%m/%Y à %H:%M}"
    if method == "CANCEL":
        subject, text = f"[Cellule de suivi] Réunion du {when} annulée", f"La réunion du {when} est annulée."
    else:
        subject = f"[Cellule de suivi] Réunion du {when}" + (" (modifiée)" if meeting.sequence else "")
        text = f"Vous êtes invité à la réunion de la cellule le {when}."
    body = f"Bonjour,\n\n{text}\n\n{link(reverse('meetings:detail', args=[meeting.pk]))}\n"
    message = EmailMessage(subject, body, None, recipients)
    message.attach("reunion.ics", calendar(meeting, method), f"text/calendar; method={method}; charset=utf-8")
    enqueue(message)


def _recipients(meeting: Meeting) -> list[str]:
    members = meeting.cell.memberships.active(meeting.day).select_related("user")
    return sorted({member.user.email for member in members if member.user.email})
