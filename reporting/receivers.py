"""Reporting's receivers: a report is "sent" when the mail server accepts its e-mail
(``reporting.actions.delivered``, told by the e-mail queue)."""

from outbox import mail
from reporting import actions

mail.on_delivery("report", actions.delivered)
