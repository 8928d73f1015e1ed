"""The flow of a case's human tasks.

The case's state machine (``cases.models.Case``) decides what happens; the flow holds the tasks
that each state gives to the people who must act. Its task nodes are therefore not chained to
each other: ``workflows.tasks.sync`` opens and closes them after every transition so that the open
tasks always match what the case needs (``workflows.tasks.expected``). Completing a task never moves the
case by itself; the action the task asks for does, through its entry point.
"""

from contextlib import contextmanager

from django.db import transaction
from viewflow import this
from viewflow.workflow import flow

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
    def __call__(self, flow_class, process_pk):
        with transaction.atomic(savepoint=False):
            flow_class.process_class._default_manager.filter(pk=process_pk).select_for_update().exists()
            yield


class CaseFlow(flow.Flow):
    process_class = CaseProcess
    task_class = CaseTask
    lock_impl = ProcessRowLock()
    process_title = "Suivi d'un signalement"

    start = flow.StartHandle(this.start_case)

    # Who may take a task from a queue is the access policy's (``workflows.rules``): the nodes carry
    # no viewflow permission.
    contact_family = flow.View(task_detail)
    name_referent = flow.View(task_detail)
    set_up_care = flow.View(task_detail).Assign(this.referent)
    review = flow.View(task_detail).Assign(this.referent)
    decide_closure = flow.View(task_detail)
    read_team_answer = flow.View(task_detail)
    answer_interview = flow.View(task_detail)
    # The receiving cellule's coordinators' (the task row carries their département).
    accept_transfer = flow.View(task_detail)
    # The mobile team's: the one who accepted a request schedules and reports.
    handle_request = flow.View(task_detail)
    schedule_intervention = flow.View(task_detail).Assign(this.handler)
    report_intervention = flow.View(task_detail).Assign(this.handler)

    def start_case(self, activation, case):
        activation.process.case = case
        return activation.process

    def referent(self, activation):
        return activation.process.case.referent

    def handler(self, activation):
        request = activation.process.case.mobile_team_requests.exclude(handled_by=None).last()
        return request.handled_by if request else None
