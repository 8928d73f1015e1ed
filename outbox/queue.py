"""The queue's state for the operators, running it in-process, and the demo's backend.

The worker is django_tasks_db's (``manage.py db_worker``); ``run_due`` runs the same claim and the
same execution once, for the tests and ``manage.py outbox --run``.
"""

import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

PENDING = [TaskResultStatus.READY, TaskResultStatus.RUNNING]


@dataclass(frozen=True)
class Backlog:
    pending: int  # waiting (due or later) or being sent
    due: int  # waiting and due now
    oldest_due_seconds: float  # how long the oldest due one has waited to be sent, 0 if none
    failed: int  # given up after every attempt


def backlog() -> Backlog:
    now = timezone.now()
    pending = DBTaskResult.objects.filter(status__in=PENDING)
    due = DBTaskResult.objects.ready()
    # A retry's wait starts at its run_after, a first attempt's at its enqueueing.
    oldest = due.aggregate(first=Min("enqueued_at"), retry=Min("run_after"))
    starts = [t for t in (oldest["first"], oldest["retry"]) if t is not None and t <= now]
    return Backlog(pending=pending.count(), due=due.count(),
                   oldest_due_seconds=max(((now - min(starts)).total_seconds(), 0)) if starts else 0.0,
                   failed=DBTaskResult.objects.failed().count())


def _worker(worker_id: str) -> Worker:
    return Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                  max_tasks=None, worker_id=worker_id, excluded_queue_names=[])


def _claim(tasks, worker_id: str) -> DBTaskResult | None:
    """The first of ``tasks`` ready now, claimed (SKIP LOCKED: one that another worker is claiming
    is passed over), or None."""
    with transaction.atomic():
        row = tasks.ready().select_for_update(skip_locked=True).first()
        if row is not None:
            row.claim(worker_id)
    return row


def run_due(worker_id: str = "sur-place") -> int:
    """Send every message due now, as one worker would, in this process; returns how many were run.
    (Not ``Worker.run``: it closes the database connection, which a test's transaction forbids.)"""
    worker, count = _worker(worker_id), 0
    while (row := _claim(DBTaskResult.objects.all(), worker_id)) is not None:
        worker.run_task(row)
        count += 1
    return count


def _run_one(result_id) -> None:
    """Run one task just committed, unless a worker claimed it first."""
    row = _claim(DBTaskResult.objects.filter(pk=result_id), "après-validation")
    if row is not None:
        _worker("après-validation").run_task(row)


# Whether this thread is answering a request (``outbox.receivers``: from request_started to request_finished).
_serving = threading.local()


def serving(request: bool) -> None:
    _serving.request = request


def in_request() -> bool:
    return getattr(_serving, "request", False)


class AfterCommitBackend(DatabaseBackend):
    """The database backend, whose process also sends each message itself once its transaction
    commits, outside a request (``seed_demo``, ``create_admin``, the timers' commands): they run
    without a worker. A web request only queues its messages: they leave after its response, sent
    by ``db_worker`` (``make demo`` runs one), so that no page waits for a mail server
    (``OUTBOX_SEND_IN_REQUEST``, for the tests that ask for the message at their request's commit).
    What fails waits for its retry in the database, as in production, where ``db_worker`` sends
    everything (``OUTBOX_SEND_AT_COMMIT``)."""

    def enqueue(self, task, args, kwargs):
        result = super().enqueue(task, args, kwargs)
        if task.run_after is None and (settings.OUTBOX_SEND_IN_REQUEST or not in_request()):
            transaction.on_commit(lambda: _run_one(result.id))
        return result
