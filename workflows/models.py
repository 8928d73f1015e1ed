"""Each case has one process; its human tasks carry the case and their due date."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

OPEN_STATUSES = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]


class TaskType(models.TextChoices):
    """The human tasks of BRIEF §3; the values are the node names of ``CaseFlow``."""

    CONTACT_FAMILY = "contact_family", "Contacter la famille"
    NAME_REFERENT = "name_referent", "Désigner un référent"
    SET_UP_CARE = "set_up_care", "Démarrer la prise en charge"
    REVIEW = "review", "Revue de suivi"
    DECIDE_CLOSURE = "decide_closure", "Décider de la clôture"
    HANDLE_REQUEST = "handle_request", "Accepter ou décliner une demande d'intervention"
    SCHEDULE_INTERVENTION = "schedule_intervention", "Planifier l'intervention"
    REPORT_INTERVENTION = "report_intervention", "Rendre compte de l'intervention"
    READ_TEAM_ANSWER = "read_team_answer", "Prendre connaissance de la réponse de l'équipe mobile"
    ANSWER_INTERVIEW = "answer_interview", "Répondre à une demande d'entretien de la famille"
    ACCEPT_TRANSFER = "accept_transfer", "Accepter ou refuser un transfert entrant"


# The mobile team's tasks: national, seen in its portal only, never with the case.
TEAM_TASKS = (TaskType.HANDLE_REQUEST, TaskType.SCHEDULE_INTERVENTION, TaskType.REPORT_INTERVENTION)
# Tasks the coordinators of the case's cellule take from their queue.
COORDINATOR_TASKS = (TaskType.NAME_REFERENT, TaskType.DECIDE_CLOSURE, TaskType.READ_TEAM_ANSWER,
                     TaskType.ANSWER_INTERVIEW, TaskType.ACCEPT_TRANSFER)


class CaseProcess(Process):
    """The process of one case, with a real foreign key so that task lists join instead of looping."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="process",
                                verbose_name="signalement")

    class Meta:
        ordering = ["-created"]
        verbose_name = "processus d'un signalement"


class CaseTaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(listed_status__in=OPEN_STATUSES)

    def overdue(self, today: datetime.date | None = None):
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def of_type(self, task_type: str):
        return self.filter(flow_task_name=task_type)


class CaseTask(Task):
    """A task of a case: viewflow's task plus the case (for scoping and lists) and a due date.

    The lists (queue, my tasks, done) filter on the case's département and on the task's status and
    owner, which live in three tables (``cases_case``, viewflow's ``viewflow_task``, this one): no
    index could serve them, and the queue scanned the whole country's tasks. So this row also holds
    the département (the case's; the receiving one's for a transfer to accept) and copies of
    viewflow's status and owner, kept by ``save()``, through which viewflow makes every change. The
    lists read this table only, through its two indexes.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="tasks", verbose_name="signalement")
    departement = models.ForeignKey("organisation.Departement", on_delete=models.PROTECT, related_name="+",
                                    verbose_name="département", db_index=False)
    flow_task_name = models.CharField("tâche", max_length=32, choices=TaskType.choices, blank=True, db_index=True)
    due_on = models.DateField("échéance", null=True, blank=True)
    listed_status = models.CharField("état (copie)", max_length=50, db_index=False)
    listed_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="détenteur (copie)", db_index=False)
    # Overdue by more than its own due period again, the task went up to the coordinators (workflows.escalation).
    escalated_on = models.DateField("signalée aux coordonnateurs le", null=True, blank=True)

    objects = CaseTaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = "tâche"
        indexes = [
            # The team's queue: the free tasks of some départements, by due date.
            models.Index(fields=["departement", "due_on"], condition=models.Q(listed_status=STATUS.NEW),
                         name="casetask_queue"),
            # One person's tasks (in hand, done), by due date; also "does the user hold a task of this case".
            models.Index(fields=["listed_owner", "listed_status", "due_on"], name="casetask_owner"),
            # The overdue digest: open tasks by due date.
            models.Index(fields=["due_on"], condition=models.Q(listed_status__in=OPEN_STATUSES),
                         name="casetask_open_due"),
        ]

    def save(self, *args, **kwargs):
        # viewflow creates tasks with only their process and node: derive the rest from them.
        if not self.case_id:
            self.case = self.process.case
        if not self.departement_id:
            self.departement_id = self.case.departement_id
            if self.flow_task is not None and self.flow_task.name == TaskType.ACCEPT_TRANSFER:
                # The receiving cellule's coordinators decide: the task is in their queue.
                self.departement_id = self.case.transfer_requests.pending().get().destination_id
        self.listed_status, self.listed_owner_id = self.status, self.owner_id
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "listed_status", "listed_owner"}
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
    def due_period(self) -> datetime.timedelta | None:
        """The time the task was given: from its opening to its due date."""
        return self.due_on - timezone.localdate(self.created) if self.due_on else None

    @property
    def is_overdue(self) -> bool:
        return self.status in OPEN_STATUSES and self.due_on is not None and self.due_on < timezone.localdate()
