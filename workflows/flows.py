"""The flow of a case's human tasks.

The case's state machine decides what happens; the flow holds the tasks that each state gives to
the people who must act. Its task nodes are therefore not chained to each other:
``workflows.tasks.sync`` opens and closes them after every transition so that the open tasks always
match what the case needs (``workflows.kinds.expected``). Completing a task never moves the case by
itself; the action the task asks for does, through its entry point.

Its nodes are the kinds the concerns declare (``workflows.kinds``), known once every app is ready:
the class is built then, on first use (``CaseFlow``, a module attribute made on demand), at the
address viewflow keeps in the database (``workflows/flows.CaseFlow``).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from viewflow import this
from viewflow.workflow import flow

from workflows import kinds
from workflows.kinds import Subject
from workflows.models import CaseProcess, CaseTask
from workflows.task_view import task_detail


class ProcessRowLock:
    """viewflow's ``SelectForUpdateLock`` on the process row, waiting for it rather than failing at
    once (NOWAIT), in the caller's transaction without a savepoint of its own.

    Our entry points take it inside their own ``transaction.atomic()``: a failed NOWAIT there would
    leave the whole transaction aborted (viewflow catches the error within a savepoint it does not
    roll back), and waiting is what we want: whoever comes second sees the first one's change. With
    nothing to retry, viewflow's savepoint and retry loop only cost two statements per lock; an
    error inside still rolls the caller's block back.
    """

    @contextmanager
    def __call__(self, flow_class: Any, process_pk: int) -> Iterator[None]:
        with transaction.atomic(savepoint=False):
            if not _holds(process_pk):
                flow_class.process_class._default_manager.filter(pk=process_pk).select_for_update().exists()
            yield


class _Held:
    """The mark of a process row locked in the current transaction by another statement (``hold``):
    a callback of the transaction that does nothing. Django forgets it when the transaction ends, and
    when the savepoint it was made in rolls back, as the database then releases the lock."""

    def __init__(self, process_pk: int) -> None:
        self.process_pk = process_pk

    def __call__(self) -> None:
        pass


def hold(process_pk: int) -> None:
    """The process's row was just locked in the caller's transaction (with its case's, by
    ``cases.actions.base.lock``): the tasks' lock need not ask again while the transaction lasts."""
    transaction.on_commit(_Held(process_pk))


def _holds(process_pk: int) -> bool:
    # The transaction's callbacks, as Django keeps them (sids, callback, robust): the one record of
    # what this transaction, and no savepoint rolled back since, did.
    return any(isinstance(entry[1], _Held) and entry[1].process_pk == process_pk
               for entry in transaction.get_connection().run_on_commit)


@cache
def _build() -> type[flow.Flow]:
    if not apps.ready:  # built before every app declared its kinds, the flow would miss some for good
        raise ImproperlyConfigured("Le flux des tâches est demandé avant que les applications soient prêtes.")
    nodes: dict[str, Any] = {}  # viewflow's nodes
    for kind in kinds.every():
        # Who may take a task from a queue is the access policy's (``workflows.rules``): the nodes
        # carry no viewflow permission.
        node = flow.View(task_detail)
        nodes[str(kind)] = node.Assign(lambda activation, kind=kind: kind.assignee(activation.process.case)) \
            if kind.assignee else node

    def start_case(self: Any, activation: Any, case: Subject) -> Any:
        activation.process.case = case
        return activation.process

    return type("CaseFlow", (flow.Flow,), {
        "__module__": __name__, "__doc__": "Suivi d'un signalement.", "process_class": CaseProcess,
        "task_class": CaseTask, "lock_impl": ProcessRowLock(), "process_title": "Suivi d'un signalement",
        "start": flow.StartHandle(this.start_case), "start_case": start_case, **nodes})


def __getattr__(name: str) -> type[flow.Flow]:
    if name == "CaseFlow":
        return _build()
    raise AttributeError(name)
