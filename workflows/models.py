"""Each case has one process; its human tasks carry the case and their due date."""

import datetime

from django.db import models
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

OPEN_STATUSES = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]


class TaskType(models.TextChoices):
    """The human tasks of BRIEF §3; the values are the node names of ``CaseFlow``."""

    CONTACT_FAMILY = "contact_family", "Contacter la famille"
    NAME_REFERENT = "name_referent", "Désigner un référent"
    SET_UP_CARE = "set_up_care", "Mettre en place la prise en charge"
    REVIEW = "review", "Revue de suivi"
    DECIDE_CLOSURE = "decide_closure", "Décider de la clôture"
    HANDLE_REQUEST = "handle_request", "Accepter ou décliner une demande d'intervention"
    SCHEDULE_INTERVENTION = "schedule_intervention", "Planifier l'intervention"
    REPORT_INTERVENTION = "report_intervention", "Rendre compte de l'intervention"
    READ_TEAM_ANSWER = "read_team_answer", "Prendre connaissance de la réponse de l'équipe mobile"
    ANSWER_INTERVIEW = "answer_interview", "Répondre à une demande d'entretien de la famille"


# The mobile team's tasks: national, seen in its portal only, never with the case.
TEAM_TASKS = (TaskType.HANDLE_REQUEST, TaskType.SCHEDULE_INTERVENTION, TaskType.REPORT_INTERVENTION)
# Tasks the coordinators of the case's cellule take from their queue.
COORDINATOR_TASKS = (TaskType.NAME_REFERENT, TaskType.DECIDE_CLOSURE, TaskType.READ_TEAM_ANSWER,
                     TaskType.ANSWER_INTERVIEW)


class CaseProcess(Process):
    """The process of one case, with a real foreign key so that task lists join instead of looping."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="process",
                                verbose_name="signalement")

    class Meta:
        ordering = ["-created"]
        verbose_name = "processus d'un signalement"


class CaseTaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: datetime.date | None = None):
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def of_type(self, task_type: str):
        return self.filter(flow_task_name=task_type)


class CaseTask(Task):
    """A task of a case: viewflow's task plus the case (for scoping and lists) and a due date."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="tasks", verbose_name="signalement")
    flow_task_name = models.CharField("tâche", max_length=32, choices=TaskType.choices, blank=True, db_index=True)
    due_on = models.DateField("échéance", null=True, blank=True, db_index=True)

    objects = CaseTaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = "tâche"

    def save(self, *args, **kwargs):
        # viewflow creates tasks with only their process and node: derive the rest from them.
        if not self.case_id:
            self.case_id = self.process.case_id
        if not self.flow_task_name and self.flow_task is not None and self.flow_task.task_type == "HUMAN":
            self.flow_task_name = self.flow_task.name
        if self.due_on is None and self.flow_task_name:
            from workflows.deadlines import due_on

            self.due_on = due_on(self)
        super().save(*args, **kwargs)

    @property
    def task_type(self) -> TaskType | None:
        return TaskType(self.flow_task_name) if self.flow_task_name else None

    @property
    def is_overdue(self) -> bool:
        return self.status in OPEN_STATUSES and self.due_on is not None and self.due_on < timezone.localdate()
