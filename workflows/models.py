"""Each case has one process; its human tasks carry the case and their due date.

``workflows`` knows no concern: the subject of a process, the case, is the model that
``settings.WORKFLOWS_SUBJECT_MODEL`` names (as ``AUTH_USER_MODEL`` names the user), and the kinds of
task are declared by the concerns (``workflows.kinds``). Of the subject it reads only ``departement``,
``reference``, ``is_open``, ``get_state_display()``, ``get_absolute_url()`` and ``inbox_summary``.
"""

import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from workflows import kinds
from workflows.kinds import Subject

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from organisation.models import Cell, Departement

OPEN_STATUSES = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]


class CaseProcess(Process):
    """The process of one case, with a real foreign key so that task lists join instead of looping."""

    # viewflow's Process is untyped, so django-stubs types no field of this model: each says its own.
    case: "models.OneToOneField[Subject, Subject]" = models.OneToOneField(
        settings.WORKFLOWS_SUBJECT_MODEL, on_delete=models.PROTECT, related_name="process", verbose_name="signalement")

    class Meta:
        ordering = ["-created"]
        verbose_name = "processus d'un signalement"


class CaseTaskQuerySet(models.QuerySet["CaseTask"]):
    def open(self) -> "CaseTaskQuerySet":
        return self.filter(listed_status__in=OPEN_STATUSES)

    def overdue(self, today: datetime.date | None = None) -> "CaseTaskQuerySet":
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def of_type(self, task_type: str) -> "CaseTaskQuerySet":
        return self.filter(flow_task_name=task_type)


if TYPE_CHECKING:  # the manager's type, which django-stubs cannot infer on a model whose base is untyped
    CaseTaskManager = models.Manager.from_queryset(CaseTaskQuerySet)


class CaseTask(Task):
    """A task of a case: viewflow's task plus the case (for scoping and lists) and a due date.

    The lists (queue, my tasks, done) filter on the case's département and on the task's status and
    owner, which live in three tables (the case's, viewflow's ``viewflow_task``, this one): no
    index could serve them, and the queue scanned the whole country's tasks. So this row also holds
    the département (the case's; the receiving one's for a transfer to accept) and copies of
    viewflow's status and owner, kept by ``save()``, through which viewflow makes every change. The
    lists read this table only, through its two indexes.
    """

    # viewflow's Task is untyped, so django-stubs types no field of this model: each says its own.
    case: "models.ForeignKey[Subject, Subject]" = models.ForeignKey(
        settings.WORKFLOWS_SUBJECT_MODEL, on_delete=models.PROTECT, related_name="tasks", verbose_name="signalement")
    departement: "models.ForeignKey[Departement, Departement]" = models.ForeignKey(
        "organisation.Departement", on_delete=models.PROTECT, related_name="+", verbose_name="département",
        db_index=False)
    departement_id: int
    # The kind's name (``workflows.kinds``): its label and rules are the declaring concern's.
    flow_task_name: "models.CharField[str, str]" = models.CharField("tâche", max_length=32, blank=True,
                                                                    db_index=True)
    due_on: "models.DateField[datetime.date | None, datetime.date | None]" = models.DateField(
        "échéance", null=True, blank=True)
    listed_status: "models.CharField[str, str]" = models.CharField("état (copie)", max_length=50, db_index=False)
    listed_owner: "models.ForeignKey[User | None, User | None]" = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="détenteur (copie)", db_index=False)
    listed_owner_id: int | None
    # Overdue by more than its own due period again, the task went up to the coordinators (workflows.escalation).
    escalated_on: "models.DateField[datetime.date | None, datetime.date | None]" = models.DateField(
        "signalée aux coordonnateurs le", null=True, blank=True)

    objects: "ClassVar[CaseTaskManager[CaseTask]]" = CaseTaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = "tâche"
        indexes = [
            # The lists' order is (due date, task): each index ends with both, so that a page is read in the
            # index's order and stops there; without the task, the planner sorted all the list's tasks (or each
            # due date's in turn). It walks the index only if it expects more tasks than a page: the status and
            # the owner have statistics together (workflows.0011: a new task has no holder).
            # The team's queue: the free tasks of some départements, by due date.
            models.Index(fields=["departement", "due_on", "task_ptr"], condition=models.Q(listed_status=STATUS.NEW),
                         name="casetask_queue_in_order"),
            # One person's tasks (in hand, done) in their cellule, by due date: a page of them read in order
            # and nothing more, however many they did; also "does the user hold a task of this case".
            models.Index(fields=["listed_owner", "listed_status", "departement", "due_on", "task_ptr"],
                         name="casetask_owner_in_order"),
            # The home's count of a cellule's open tasks escalated to its coordinators (few).
            models.Index(fields=["departement"], name="casetask_escalated",
                         condition=models.Q(listed_status__in=OPEN_STATUSES, escalated_on__isnull=False)),
            # The overdue digest: open tasks by due date.
            models.Index(fields=["due_on"], condition=models.Q(listed_status__in=OPEN_STATUSES),
                         name="casetask_open_due"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # viewflow creates tasks with only their process and node: derive the rest from them.
        if not self.case_id:
            self.case = self.process.case
        if not self.flow_task_name and self.flow_task is not None and self.flow_task.task_type == "HUMAN":
            self.flow_task_name = self.flow_task.name
        kind = self.kind
        if not self.departement_id:
            listed_in = kind.listed_in if kind is not None else None
            self.departement_id = listed_in(self.case) if listed_in else self.case.departement_id
        if self.listed_owner_id is not None and self.listed_owner_id != self.owner_id:
            # The task leaves its holder (put back, given to someone else, following a new référent):
            # they once held it (``FormerHolder``). ``listed_owner`` is still the owner it was read with.
            FormerHolder.objects.bulk_create([FormerHolder(case_id=self.case_id, user_id=self.listed_owner_id)],
                                             ignore_conflicts=True)
        self.listed_status, self.listed_owner_id = self.status, self.owner_id
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "listed_status", "listed_owner"}
        if self.due_on is None and kind is not None:
            self.due_on = kind.due_on(self) if kind.due_on else (
                (kinds.counted_from() or timezone.localdate()) + datetime.timedelta(days=settings.TASK_DUE_DAYS[kind]))
        super().save(*args, **kwargs)

    @property
    def kind(self) -> kinds.TaskKind | None:
        return kinds.get(self.flow_task_name)

    @property
    def label(self) -> str:
        """The kind's label, as the lists and e-mails name the task."""
        return self.kind.label if self.kind is not None else self.flow_task_name

    @property
    def due_period(self) -> datetime.timedelta | None:
        """The time the task was given: from its opening to its due date."""
        return self.due_on - timezone.localdate(self.created) if self.due_on else None

    @property
    def is_overdue(self) -> bool:
        return self.status in OPEN_STATUSES and self.due_on is not None and self.due_on < timezone.localdate()


class FormerHolder(models.Model):
    """Someone a task of the case left while open: put back in the queue, given to someone else, or
    following a new référent. A task done keeps its holder (``CaseTask.listed_owner``); with these rows,
    the people who once held one of a case's tasks are all known (``workflows.rules.held_task``)."""

    case: "models.ForeignKey[Subject, Subject]" = models.ForeignKey(
        settings.WORKFLOWS_SUBJECT_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="signalement")
    user: "models.ForeignKey[User, User]" = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="personne",
        db_index=False)

    class Meta:
        verbose_name = "ancien détenteur d'une tâche"
        constraints = [models.UniqueConstraint(fields=["user", "case"], name="formerholder_user_case")]

    def __str__(self) -> str:
        return f"{self.user} ({self.case})"


class EmailChoice(models.TextChoices):
    """What a person receives by e-mail of their notifications (they are always listed in the product)."""

    EACH = "each", "Un courriel à chaque notification"
    DIGEST = "digest", "Un récapitulatif par jour"
    NONE = "none", "Aucun courriel : je consulte mes notifications dans l'application"


class NotificationPreference(models.Model):
    """A person's choice of e-mail; without a row, a courriel à chaque notification."""

    user: "models.OneToOneField[User, User]" = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+",
        verbose_name="personne")
    email: "models.CharField[str, str]" = models.CharField("courriels", max_length=8, choices=EmailChoice.choices,
                                                          default=EmailChoice.EACH)

    class Meta:
        verbose_name = "préférence de notification"

    def __str__(self) -> str:
        return self.get_email_display()


class NotificationQuerySet(models.QuerySet["Notification"]):
    def of(self, user: "User") -> "NotificationQuerySet":
        """A person's own notifications: nobody lists, opens or marks another's."""
        return self.filter(recipient=user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """What happened that a person should know (a task given, an answer, a message…), for them only.

    It carries no personal data: a title and a sentence made of references, labels and dates, the
    same as its e-mail, and the link to the page where the rest is read (and the read recorded). It
    names its case, by reference, only to people who may open it; ``case`` links it to the case
    for the purge (``retention``) and is left empty otherwise. ``kind`` is the declaring concern's code.
    """

    recipient: "models.ForeignKey[User, User]" = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="destinataire",
        db_index=False)
    recipient_id: int
    kind: "models.CharField[str, str]" = models.CharField("nature", max_length=40)
    title: "models.CharField[str, str]" = models.CharField("objet", max_length=200)
    text: "models.TextField[str, str]" = models.TextField("message")
    path: "models.CharField[str, str]" = models.CharField("lien", max_length=300)
    case: "models.ForeignKey[Subject | None, Subject | None]" = models.ForeignKey(
        settings.WORKFLOWS_SUBJECT_MODEL, on_delete=models.CASCADE, null=True, blank=True,
        related_name="notifications", verbose_name="signalement")
    created_at: "models.DateTimeField[datetime.datetime, datetime.datetime]" = models.DateTimeField(
        "reçue le", default=timezone.now)
    read_at: "models.DateTimeField[datetime.datetime | None, datetime.datetime | None]" = models.DateTimeField(
        "lue le", null=True, blank=True)
    # Waiting for the daily digest (the person chose it when it was made): sent once, then cleared.
    in_digest: "models.BooleanField[bool, bool]" = models.BooleanField("au prochain récapitulatif", default=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "notification"
        indexes = [
            # A person's list, newest first; the header's unread count.
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"),
            models.Index(fields=["recipient"], condition=models.Q(in_digest=True), name="notification_digest"),
        ]

    def __str__(self) -> str:
        return self.title
class SavedView(models.Model):
    """A list's filters and sort kept under a name: a person's own, or shared with their cellule, and
    possibly the one their cellule's members of a role open the list with (``workflows.saved_views``)."""

    class Page(models.TextChoices):
        CASES = "cases", "Signalements"
        MINE = "tasks-mine", "Mes tâches"
        QUEUE = "tasks-queue", "File de mon équipe"
        DONE = "tasks-done", "Tâches terminées"
        CELLULE = "tasks-cellule", "Tâches de la cellule"

    owner: "models.ForeignKey[User, User]" = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="auteur")
    cell: "models.ForeignKey[Cell, Cell]" = models.ForeignKey(
        "organisation.Cell", on_delete=models.PROTECT, related_name="+", verbose_name="cellule")
    page: "models.CharField[str, str]" = models.CharField("liste", max_length=16, choices=Page.choices)
    name: "models.CharField[str, str]" = models.CharField("nom", max_length=80)
    query: "models.CharField[str, str]" = models.CharField("filtres et tri", max_length=500, blank=True)
    shared: "models.BooleanField[bool, bool]" = models.BooleanField("partagée avec la cellule", default=False)
    # The list's default for the cellule's members of this role (set by a coordinator), or none.
    default_for: "models.CharField[str, str]" = models.CharField("vue par défaut des", max_length=16, blank=True)
    created: "models.DateTimeField[datetime.datetime, datetime.datetime]" = models.DateTimeField(
        "créée le", auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "vue enregistrée"
        indexes = [models.Index(fields=["cell", "page"], name="savedview_cell_page")]
        constraints = [models.UniqueConstraint(fields=["cell", "page", "default_for"],
                                               condition=~models.Q(default_for=""), name="savedview_one_default")]

    def __str__(self) -> str:
        return self.name
