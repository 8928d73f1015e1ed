"""The queue follows Django's requests: a message queued while answering one waits for the worker
(``outbox.queue.AfterCommitBackend``)."""

from django.core.signals import request_finished, request_started
from django.dispatch import receiver

from outbox.queue import serving


@receiver(request_started, dispatch_uid="outbox.request_started")
def _started(**kwargs) -> None:
    serving(True)


@receiver(request_finished, dispatch_uid="outbox.request_finished")
def _finished(**kwargs) -> None:
    serving(False)
