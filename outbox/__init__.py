"""The e-mails to send, kept in the database and sent by a worker, with retries.

``enqueue(message)`` writes the message in the caller's transaction, as a task of django-tasks'
database backend (``django_tasks_db``): a change that rolls back sends nothing, one that commits
never loses its e-mail, whatever the state of the mail server. ``manage.py db_worker`` (the
``cellule-worker`` service) sends it; an SMTP failure is retried later, each time twice as late
(``OUTBOX_RETRY_SECONDS``), and after ``OUTBOX_MAX_ATTEMPTS`` the message is failed, listed by
``manage.py outbox`` and counted by ``/health/``. Workers claim messages with ``SELECT … FOR UPDATE
SKIP LOCKED``: several workers, on several machines, send each message once.

A caller told when its message was accepted or given up (the monthly report is "sent" only then)
names itself with ``about=(kind, id)`` and registers its handler with ``on_delivery(kind, handler)``.
This app is the lowest layer: it knows nothing of the product, not even the audit trail.
"""
