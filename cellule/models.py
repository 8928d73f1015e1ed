"""The cellule's life: meetings, family interview requests and support groups."""

from django.db import models
from simple_history.models import HistoricalRecords

from cases.models import Case
from organisation.models import Cell, Institution, Membership


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Prévue"
        CLOSED = "closed", "Clôturée"

    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="meetings", verbose_name="cellule")
    held_at = models.DateTimeField("date et heure")
    status = models.CharField("état", max_length=8, choices=Status.choices, default=Status.PLANNED)
    minutes = models.TextField("compte rendu", max_length=10000, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_at"]
        verbose_name = "réunion"

    def __str__(self) -> str:
        return f"Réunion du {self.held_at:%d/%m/%Y}"


class MeetingItem(models.Model):
    """A case on a meeting's agenda, with the decision taken on it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items", verbose_name="réunion")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="meeting_items", verbose_name="signalement")
    decision = models.CharField("décision (factuelle)", max_length=1000, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="meeting_item_once")]
        verbose_name = "point de l'ordre du jour"

    def __str__(self) -> str:
        return f"{self.meeting} — {self.case}"


class Attendance(models.Model):
    class Presence(models.TextChoices):
        PRESENT = "present", "Présent"
        EXCUSED = "excused", "Excusé"

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
        PREFET = "prefet", "Le préfet"
        DIRECTEUR_CABINET = "directeur_cabinet", "Le directeur de cabinet"
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
        return f"Entretien avec {self.get_with_whom_display().lower()} ({self.get_status_display().lower()})"


class SupportGroup(models.Model):
    """A support group (groupe de parole) for families, run by an association."""

    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="support_groups", verbose_name="cellule")
    name = models.CharField("nom", max_length=200)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, verbose_name="association")

    class Meta:
        ordering = ["name"]
        verbose_name = "groupe de parole"
        verbose_name_plural = "groupes de parole"

    def __str__(self) -> str:
        return self.name


class SupportGroupSession(models.Model):
    group = models.ForeignKey(SupportGroup, on_delete=models.PROTECT, related_name="sessions",
                              verbose_name="groupe")
    on = models.DateField("date")
    families = models.ManyToManyField(Case, related_name="support_sessions", verbose_name="familles participantes",
                                      blank=True)

    class Meta:
        ordering = ["-on"]
        verbose_name = "séance de groupe de parole"

    def __str__(self) -> str:
        return f"{self.group} — {self.on:%d/%m/%Y}"
