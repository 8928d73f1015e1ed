"""The cellule's life: meetings, family interview requests, support groups and its exchanges with the local
prevention bodies."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cases.models import Case
from organisation.models import Cell, Departement, Institution, Membership
from organisation.policy import Principal, scope


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Prévue"
        CLOSED = "closed", "Clôturée"
        CANCELLED = "cancelled", "Annulée"

    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="meetings", verbose_name="cellule")
    held_at = models.DateTimeField("date et heure")
    status = models.CharField("état", max_length=9, choices=Status.choices, default=Status.PLANNED)
    minutes = models.TextField("compte rendu", max_length=10000, blank=True)
    # The invitation's revision (iCalendar SEQUENCE): each change of date or agenda, and the cancellation, raise it.
    sequence = models.PositiveIntegerField("révision de l'invitation", default=0, db_default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_at"]
        verbose_name = "réunion"

    def __str__(self) -> str:
        return f"Réunion du {self.day:%d/%m/%Y}"

    @property
    def day(self) -> datetime.date:
        """The meeting's day where it is held (the current time zone), not UTC's: a meeting at 0:30 in Paris is
        not the eve's. Its members on that day, its reviews' due date and its decisions' date follow it."""
        return timezone.localdate(self.held_at)


class MeetingItem(models.Model):
    """A case on a meeting's agenda, why it is there, and the decision taken on it: an outcome with an
    owner and a date becomes the owner's task once the meeting is closed (``cellule.task_kinds``)."""

    class Reason(models.TextChoices):
        REVIEW_DUE = "review_due", "Revue due avant la réunion"
        NEW = "new", "Nouveau depuis la dernière réunion"
        CLOSURE_PROPOSED = "closure_proposed", "Clôture proposée"
        TRANSFER_PENDING = "transfer_pending", "Transfert en attente"
        TEAM_ANSWER = "team_answer", "Réponse de l'équipe mobile"
        ADDED = "added", "Inscrit par la coordination"

    class Outcome(models.TextChoices):
        CONTINUE = "continue", "Poursuivre l'accompagnement"
        ADJUST_PLAN = "adjust_plan", "Ajuster le plan d'accompagnement"
        ORIENT = "orient", "Orienter vers un partenaire"
        MOBILE_TEAM = "mobile_team", "Solliciter l'équipe mobile"
        PROPOSE_CLOSURE = "propose_closure", "Proposer la clôture"
        TRANSFER = "transfer", "Transférer à un autre département"
        OTHER = "other", "Autre suite"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items", verbose_name="réunion")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="meeting_items", verbose_name="signalement")
    reasons = models.JSONField("motifs d'inscription", default=list, db_default=[], blank=True)  # ``Reason`` values
    outcome = models.CharField("décision", max_length=16, choices=Outcome.choices, blank=True, db_default="")
    decision = models.CharField("décision (factuelle)", max_length=1000, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="meeting_decisions", verbose_name="chargé de la suite")
    due_on = models.DateField("pour le", null=True, blank=True)
    done_on = models.DateField("fait le", null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="meeting_item_once")]
        verbose_name = "point de l'ordre du jour"

    def __str__(self) -> str:
        return f"{self.meeting} — {self.case}"

    def reason_labels(self) -> list[str]:
        labels = dict(self.Reason.choices)
        return [str(labels.get(reason, reason)) for reason in self.reasons]


class Attendance(models.Model):
    class Presence(models.TextChoices):
        """Said of a man or a woman alike."""

        PRESENT = "present", "Présence"
        EXCUSED = "excused", "Absence excusée"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendances",
                                verbose_name="réunion")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+", verbose_name="membre")
    presence = models.CharField("présence", max_length=8, choices=Presence.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"], name="attendance_once")]
        verbose_name = "présence"

    def __str__(self) -> str:
        return f"{self.membership} — {self.get_presence_display()}"


class InterviewRequest(models.Model):
    """A family's request for an interview with the préfet, the directeur de cabinet or the référent."""

    class With(models.TextChoices):
        PREFET = "prefet", "Le préfet ou la préfète"
        DIRECTEUR_CABINET = "directeur_cabinet", "La direction de cabinet"
        REFERENT = "referent", "Le référent de la cellule"

    class Channel(models.TextChoices):
        PHONE = "phone", "Téléphone"
        LETTER = "letter", "Courrier"
        EMAIL = "email", "Courriel"
        IN_PERSON = "in_person", "En personne"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Demandé"
        SCHEDULED = "scheduled", "Programmé"
        HELD = "held", "Tenu"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="interview_requests",
                             verbose_name="signalement")
    with_whom = models.CharField("avec", max_length=20, choices=With.choices)
    requested_by = models.CharField("demandé par (lien avec le jeune)", max_length=100)
    channel = models.CharField("par", max_length=10, choices=Channel.choices)
    requested_on = models.DateField("demandé le")
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.REQUESTED)
    scheduled_at = models.DateTimeField("programmé le", null=True, blank=True)
    held_on = models.DateField("tenu le", null=True, blank=True)
    outcome = models.CharField("suite donnée (factuelle)", max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_on", "pk"]
        verbose_name = "demande d'entretien"

    def __str__(self) -> str:
        return f"Entretien avec {self.with_whom_in_sentence()} ({self.get_status_display().lower()})"

    @classmethod
    def with_whom_choices(cls, departement: Departement) -> list[tuple[str, str]]:
        """Whom a family may ask to meet there: the préfet is, overseas, the representative of the State
        under their own title."""
        return [(value, f"Le {departement.representative_title}" if value == cls.With.PREFET else label)
                for value, label in cls.With.choices]

    def with_whom_in_sentence(self) -> str:
        """« le haut-commissaire de la République en Nouvelle-Calédonie »: only the article lowered."""
        label = dict(self.with_whom_choices(self.case.departement))[self.with_whom]
        return label[:1].lower() + label[1:]


class SupportGroupQuerySet(models.QuerySet):
    def recordable_by(self, user: Principal) -> "SupportGroupQuerySet":
        """The groups whose sessions the user records (``cellule.rules``): their cellule's, as coordinator;
        those they facilitate, as a member of the group's cellule."""
        s = scope(user)
        return self.filter(Q(cell_id__in=s.coordinated_cell_ids)
                           | Q(facilitator_id__in=[m.pk for m in s.memberships], cell_id__in=s.cell_ids))


class SupportGroup(models.Model):
    """A support group (groupe de parole) for parents, "soit par l'intermédiaire d'associations existantes,
    soit directement avec votre soutien" (note of 19 February 2015): run by an association of the
    département, or by the préfecture itself. Its facilitator, a member of the cellule who belongs to the
    association (or works at the préfecture), records its sessions."""

    class RunBy(models.TextChoices):
        ASSOCIATION = "association", "Une association du département"
        PREFECTURE = "prefecture", "La préfecture (la cellule elle-même)"

    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="support_groups", verbose_name="cellule")
    name = models.CharField("nom", max_length=200)
    run_by = models.CharField("porté par", max_length=11, choices=RunBy.choices, default=RunBy.ASSOCIATION,
                              db_default=RunBy.ASSOCIATION)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, null=True, blank=True,
                                    verbose_name="association")
    facilitator = models.ForeignKey(Membership, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="facilitated_groups", verbose_name="animation")

    objects = SupportGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "groupe de parole"
        verbose_name_plural = "groupes de parole"
        constraints = [models.CheckConstraint(
            name="support_group_association_iff_run_by_one",
            condition=Q(run_by="association", institution__isnull=False) | Q(run_by="prefecture",
                                                                              institution__isnull=True))]

    def __str__(self) -> str:
        return self.name

    def runner(self) -> str:
        """Who runs it, as the pages say it: the association's name, or the préfecture."""
        return str(self.institution) if self.institution_id else "la préfecture"


# Parents who came without a case the cellule follows are counted, never named; a session is a small
# circle, and a count beyond this is a typing error.
MAX_OTHER_PARENTS = 100


class SupportGroupSession(models.Model):
    group = models.ForeignKey(SupportGroup, on_delete=models.PROTECT, related_name="sessions",
                              verbose_name="groupe")
    on = models.DateField("date")
    families = models.ManyToManyField(Case, related_name="support_sessions", verbose_name="familles participantes",
                                      blank=True)
    other_parents = models.PositiveSmallIntegerField(
        "autres parents présents", default=0, db_default=0,
        validators=[MinValueValidator(0, f"Indiquez un nombre de parents de 0 à {MAX_OTHER_PARENTS}."),
                    MaxValueValidator(MAX_OTHER_PARENTS,
                                      f"Indiquez un nombre de parents de 0 à {MAX_OTHER_PARENTS}.")],
        help_text="Parents venus sans que la cellule suive leur enfant : leur nombre seulement, sans nom.")

    class Meta:
        ordering = ["-on"]
        verbose_name = "séance de groupe de parole"
        constraints = [models.CheckConstraint(name="support_session_other_parents_bounded",
                                              condition=Q(other_parents__lte=MAX_OTHER_PARENTS))]

    def __str__(self) -> str:
        return f"{self.group} — {self.on:%d/%m/%Y}"


class Exchange(models.Model):
    """An exchange of the cellule with a local prevention body (a CLSPD or CISPD, a programme de réussite
    éducative), whose action the cellule "articule" with its own: when, what about, what was said, who
    recorded it. A working record between institutions: no young person is named in it."""

    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="exchanges", verbose_name="cellule")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="exchanges",
                                    verbose_name="dispositif")
    on = models.DateField("date")
    subject = models.CharField("objet", max_length=200)
    summary = models.TextField("résumé", max_length=4000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="enregistré par")
    recorded_at = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        ordering = ["-on", "-pk"]
        verbose_name = "échange avec un dispositif local de prévention"
        verbose_name_plural = "échanges avec les dispositifs locaux de prévention"

    def __str__(self) -> str:
        return f"{self.subject} ({self.on:%d/%m/%Y})"
