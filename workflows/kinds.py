"""The kinds of task, each declared in one place by the concern that owns it (its ``task_kinds.py``).

``workflows`` knows no concern: a kind says everything the engine, the inbox and the policy need of
it. Its name (the flow's node and ``CaseTask.flow_task_name``), its label, who takes it from a queue
(``Queue``) or to whom it is given (``assignee``), when it is due, the département whose lists
show it, whether the mobile team's portal works it rather than the case's pages, and the page that
does it. A concern also says which of its kinds a case needs now (``register(..., expects=...)``).
A kind is its name (a ``str``), so that it is written, filtered and compared as one.
"""

import datetime
import enum
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeAlias

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from ui import statements

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Subject: TypeAlias = Any
"""The subject of a process, the case: the model ``settings.WORKFLOWS_SUBJECT_MODEL`` names, which ``workflows``
neither imports nor types."""


class Queue(enum.StrEnum):
    """Who takes a task of this kind from their team's queue; a kind with none is given directly."""

    NONE = ""
    COORDINATORS = "coordinators"  # the coordinators of the département whose lists show it
    FAMILY_CONTACTS = "family_contacts"  # its coordinators and the members designated to contact families
    MOBILE_TEAM = "mobile_team"  # any agent of the national mobile team


class TaskKind(str):
    """A kind of task: its name, and what it takes to open, list, give and do it."""

    label: str
    queue: Queue
    assignee: "Callable[[Subject], User | None] | None"
    due_on: Callable[[Any], datetime.date] | None
    page: Callable[[Any], str]
    listed_in: Callable[[Subject], int] | None
    named_after: Callable[[list], dict[int, tuple[str, str]]] | None
    portal: bool
    told_as: str

    def __new__(cls, name: str, *, label: str, page: Callable[[Any], str], queue: Queue = Queue.NONE,
                assignee: "Callable[[Subject], User | None] | None" = None,
                due_on: Callable[[Any], datetime.date] | None = None,
                listed_in: Callable[[Subject], int] | None = None,
                named_after: Callable[[list], dict[int, tuple[str, str]]] | None = None,
                portal: bool = False, told_as: str = "") -> "TaskKind":
        """``page(task)``: the address where the task is done. ``assignee(case)``: the person (a user) it
        is given to when it opens (None: nobody, it waits in a queue). ``due_on(task)``: its due date, by
        default ``TASK_DUE_DAYS`` after it opens. ``listed_in(case)``: the département whose queue and
        lists show it, by default the case's; ``named_after(tasks)``: what the lists there show of these
        done tasks, ``{pk: (reference, text)}`` (by default nothing of a case of another département).
        ``portal``: the mobile team's, worked in its own portal, never with the case. ``told_as``: the
        title of the notification of its owner, ``{reference}`` the case's (by default « Nouvelle tâche »
        and its label)."""
        kind = super().__new__(cls, name)
        kind.label, kind.queue, kind.page, kind.portal = label, queue, page, portal
        kind.told_as = told_as or f"Nouvelle tâche : {label} — {{reference}}"
        kind.assignee, kind.due_on, kind.listed_in, kind.named_after = assignee, due_on, listed_in, named_after
        return kind


_KINDS: dict[str, TaskKind] = {}
Answers: TypeAlias = dict[str, Any]
_EXPECTATIONS: list[tuple[Callable[[Subject], dict[str, Any]], Callable[[Subject, Answers], set[str]]]] = []
_COUNTED_FROM: ContextVar[datetime.date | None] = ContextVar("workflows_counted_from", default=None)


@contextmanager
def counting_from(day: datetime.date | None) -> Iterator[None]:
    """The tasks opened within are due counted from ``day`` (None: by each kind's own rule)."""
    token = _COUNTED_FROM.set(day)
    try:
        yield
    finally:
        _COUNTED_FROM.reset(token)


def counted_from() -> datetime.date | None:
    """The day the tasks opening now are due from, when their opener said (``tasks.start``); None
    otherwise. A ``due_on`` of a kind that counts from another day than today follows it."""
    return _COUNTED_FROM.get()


def register(*kinds: TaskKind, expects: Callable[[Subject, Answers], set[str]],
             asks: Callable[[Subject], dict[str, Any]] = lambda case: {}) -> None:
    """Declare a concern's kinds, and ``expects(case, answers)``: which of them the case needs open now.
    ``asks(case)``: the questions about the case it needs answered for that, named expressions (an
    ``Exists`` on ``OuterRef("pk")``); every concern's are asked of the case in one query, their
    ``answers`` by name. Which questions, and what each asks, follow from the case's state alone: the
    query is compiled once per state (``expected``)."""
    for kind in kinds:
        if kind in _KINDS:
            raise ImproperlyConfigured(f"La tâche « {kind} » est déjà déclarée.")
        _KINDS[str(kind)] = kind
    _EXPECTATIONS.append((asks, expects))


def get(name: str) -> TaskKind | None:
    return _KINDS.get(name)


def every() -> Iterable[TaskKind]:
    return _KINDS.values()


def expected(case: Subject) -> set[str]:
    """The kinds a case in its current state gives to the people who must act: every concern's
    questions about it asked in one query.

    Every transition asks them (``workflows.tasks.sync``), and building and compiling their subqueries
    cost more of the worker than the database takes to answer: the query is compiled once per state
    and worker (``ui.statements``), the case's key its one parameter bound at each call."""
    sql, params = statements.compiled(("workflows.kinds.expected", type(case)._meta.label, case.state),
                                      lambda: _questions(case))
    answers: Answers = {}
    if sql:
        with connection.cursor() as cursor:
            cursor.execute(sql, (*params, case.pk))
            names = [column[0] for column in cursor.description]
            answers = {name: bool(value) for name, value in zip(names, cursor.fetchone(), strict=True)}
    return set().union(*(expects(case, answers) for _, expects in _EXPECTATIONS))


def _questions(case: Subject) -> tuple[str, tuple[Any, ...]]:
    """Every concern's questions about a case in its state, as SQL whose parameters end with the case's
    key, which is left out ("" when no concern asks anything in that state)."""
    questions = {name: question for asks, _ in _EXPECTATIONS for name, question in asks(case).items()}
    if not questions:
        return "", ()
    sql, params = type(case)._default_manager.filter(pk=case.pk).values(**questions).query.sql_with_params()
    if not params or params[-1] != case.pk:  # the filter on the key is the statement's last clause
        raise ImproperlyConfigured("Les questions sur un signalement ne se terminent pas par sa clé.")
    return sql, tuple(params[:-1])


def choices() -> list[tuple[str, str]]:
    """(name, label) of every kind, for the inbox's filter."""
    return [(str(kind), kind.label) for kind in _KINDS.values()]


def in_queue(*queues: Queue) -> list[str]:
    return [str(kind) for kind in _KINDS.values() if kind.queue in queues]


def in_portal() -> list[str]:
    """The mobile team's kinds: worked in its portal, listed nowhere with the case."""
    return [str(kind) for kind in _KINDS.values() if kind.portal]
