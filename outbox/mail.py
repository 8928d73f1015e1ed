"""Putting an e-mail in the queue, and sending it from there (see the package's docstring)."""

import base64
import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import task

# kind -> handler(object id, accepted): the callers told of their message's fate.
_handlers: dict[str, Callable[[int, bool], None]] = {}


def on_delivery(kind: str, handler: Callable[[int, bool], None]) -> None:
    """``handler(id, True)`` once the server accepted a message enqueued ``about=(kind, id)``,
    ``handler(id, False)`` once it is given up."""
    _handlers[kind] = handler


def enqueue(message: EmailMessage, *, about: tuple[str, int] | None = None) -> None:
    """Queue ``message`` in the current transaction (it leaves only if the transaction commits)."""
    if message.recipients():
        deliver.enqueue(_payload(message), list(about) if about else None)


def queue_mail(subject: str, body: str, recipients: list[str]) -> None:
    """``django.core.mail.send_mail``, through the queue."""
    enqueue(EmailMessage(subject, body, None, recipients))


def _payload(message: EmailMessage) -> dict:
    """The message as JSON: its fields, attachments in base64. Alternatives and MIME parts built by
    hand are not used by the product and are refused rather than dropped."""
    attachments = []
    for attachment in message.attachments:
        if not isinstance(attachment, tuple):
            raise TypeError("outbox: pièce jointe MIME non prise en charge")
        filename, content, mimetype = attachment
        data = content.encode() if isinstance(content, str) else content
        attachments.append([filename, base64.b64encode(data).decode("ascii"), mimetype])
    if getattr(message, "alternatives", None):
        raise TypeError("outbox: message à plusieurs versions non pris en charge")
    return {"subject": message.subject, "body": message.body, "from_email": message.from_email, "to": message.to,
            "cc": message.cc, "bcc": message.bcc, "reply_to": message.reply_to, "headers": message.extra_headers,
            "attachments": attachments}


def _message(payload: dict) -> EmailMessage:
    message = EmailMessage(payload["subject"], payload["body"], payload["from_email"], payload["to"],
                           bcc=payload["bcc"], cc=payload["cc"], reply_to=payload["reply_to"],
                           headers=payload["headers"])
    for filename, data, mimetype in payload["attachments"]:
        message.attach(filename, base64.b64decode(data), mimetype)
    return message


def retry_delay(attempt: int) -> int:
    """Seconds before the attempt after ``attempt``: 1, 2, 4, 8… times ``OUTBOX_RETRY_SECONDS``."""
    return settings.OUTBOX_RETRY_SECONDS * 2 ** (attempt - 1)


@task()
def deliver(payload: dict, about: list | None = None, attempt: int = 1) -> dict:
    """Hand the message to the mail server. Refused or unreachable, it is queued again for later
    until ``OUTBOX_MAX_ATTEMPTS``; then this task fails (and the caller is told)."""
    message = _message(payload)  # a payload that cannot be read fails at once: retrying won't help
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 (any failure of the mail server: refused, unreachable, timed out)
        if attempt >= settings.OUTBOX_MAX_ATTEMPTS:
            _tell(about, accepted=False)
            raise
        delay = retry_delay(attempt)
        deliver.using(run_after=timezone.now() + datetime.timedelta(seconds=delay)).enqueue(payload, about,
                                                                                            attempt + 1)
        return {"tentative": attempt, "erreur": f"{type(exc).__name__}: {exc}"[:500], "nouvel_essai_dans_s": delay}
    _tell(about, accepted=True)
    return {"tentative": attempt, "envoye": True}


def _tell(about: list | None, *, accepted: bool) -> None:
    if about:
        kind, object_id = about
        _handlers[kind](object_id, accepted)
