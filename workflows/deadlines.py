"""When each task is due: ``TASK_DUE_DAYS`` after it is opened, unless the concern that owns the
task type registered a rule of its own (the family contact counts from the signalement's receipt,
the mobile team's tasks from the request: ``cases.tasks``, ``mobile_team.tasks``)."""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

_RULES: dict[str, Callable[[object], datetime.date]] = {}


def due_rule(*task_types: str):
    """Register ``function(task) -> date`` as the due date of ``task_types``."""

    def register(function):
        for task_type in task_types:
            if task_type in _RULES:
                raise ImproperlyConfigured(f"La tâche « {task_type} » a déjà sa règle d'échéance.")
            _RULES[task_type] = function
        return function

    return register


def due_on(task) -> datetime.date:
    rule = _RULES.get(task.flow_task_name)
    if rule is not None:
        return rule(task)
    return timezone.localdate() + datetime.timedelta(days=settings.TASK_DUE_DAYS[task.flow_task_name])
