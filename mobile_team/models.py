"""Requests to the national mobile intervention team (équipe mobile d'intervention).

The team sees a request, never the case: the request carries its own copy of the minimum the team
needs (first name, age, commune, the situation as the coordinator summarised it).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from cases.models import Case, StoredFile


class MobileTeamRequest(ConcurrentTransitionMixin, models.Model):
    class Expected(models.TextChoices):
        INDIVIDUAL_CARE = "individual_care", "Prise en charge psychologique individuelle"
        FAMILY_SUPPORT = "family_support", "Soutien à la famille"
        ADVICE = "advice", "Conseil aux professionnels de la cellule"
        OTHER = "other", "Autre"

    class Urgency(models.TextChoices):
        NORMAL = "normal", "Normale"
        URGENT = "urgent", "Urgente"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Demandée"
        ACCEPTED = "accepted", "Acceptée"
        DECLINED = "declined", "Déclinée"
        SCHEDULED = "scheduled", "Intervention planifiée"
        COMPLETED = "completed", "Terminée"
        WITHDRAWN = "withdrawn", "Retirée par la cellule"

    class Outcome(models.TextChoices):
        REPORTED = "reported", "Compte rendu de l'équipe mobile"
        DECLINED = "declined", "Demande déclinée par l'équipe mobile"
        WITHDRAWN = "withdrawn", "Demande retirée par la cellule"

    OPEN = [Status.REQUESTED, Status.ACCEPTED, Status.SCHEDULED]

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="mobile_team_requests",
                             verbose_name="signalement")
    departement = models.CharField("département", max_length=3)
    motive = models.CharField("motif (factuel)", max_length=500)
    expected = models.CharField("aide attendue", max_length=16, choices=Expected.choices)
    urgency = models.CharField("urgence", max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    preferred_dates = models.CharField("dates souhaitées", max_length=200, blank=True)
    preferred_place = models.CharField("lieu souhaité", max_length=200, blank=True)
    # What the team reads: a copy, written for it, never the case itself.
    first_name = models.CharField("prénom", max_length=100)
    age = models.PositiveSmallIntegerField("âge")
    commune = models.CharField("commune", max_length=100)
    summary = models.CharField("situation, résumée pour l'équipe (factuelle)", max_length=1000)
    # Whom the team calls at the préfecture; empty only on requests made before it was asked.
    contact = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name="contact à la préfecture")
    family_agrees = models.BooleanField("la famille accepte d'être contactée par l'équipe mobile", default=False)
    family_contact = models.CharField("comment joindre la famille", max_length=300, blank=True)

    status = FSMField("état", max_length=16, choices=Status.choices, default=Status.REQUESTED, protected=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="demandée par")
    requested_at = models.DateTimeField("demandée le", auto_now_add=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="handled_mobile_requests", verbose_name="intervenant")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    decline_reason = models.CharField("motif du refus", max_length=500, blank=True)
    scheduled_at = models.DateTimeField("intervention prévue le", null=True, blank=True)
    scheduled_place = models.CharField("lieu de l'intervention", max_length=200, blank=True)
    intervener = models.CharField("qui intervient", max_length=150, blank=True)
    answer_unread = models.BooleanField("réponse de l'équipe à lire par la cellule", default=False)
    outcome = models.CharField("issue", max_length=16, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField("réponse ou compte rendu (factuel)", max_length=1000, blank=True)
    closed_at = models.DateTimeField("close le", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = "demande à l'équipe mobile"
        verbose_name_plural = "demandes à l'équipe mobile"
        indexes = [models.Index(fields=["status", "requested_at"], name="mobile_request_status")]

    def __str__(self) -> str:
        return f"Demande n° {self.pk} — {self.departement} — {self.get_expected_display().lower()}"

    def clean(self) -> None:
        # The team learns how to reach the family only when the family agreed to it.
        if self.family_agrees and not self.family_contact.strip():
            raise ValidationError({"family_contact": "Indiquez comment l'équipe peut joindre la famille."})
        if self.family_contact and not self.family_agrees:
            raise ValidationError({"family_contact": "La famille n'a pas accepté d'être contactée par "
                                                     "l'équipe : ne transmettez pas ses coordonnées."})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @transition(field=status, source=Status.REQUESTED, target=Status.ACCEPTED)
    def accept(self) -> None:
        """The team takes the request on."""

    @transition(field=status, source=Status.REQUESTED, target=Status.DECLINED)
    def decline(self) -> None:
        """The team cannot take it, and says why."""

    @transition(field=status, source=[Status.ACCEPTED, Status.SCHEDULED], target=Status.SCHEDULED)
    def schedule(self) -> None:
        """An intervention is set (or moved): date, place, intervener."""

    @transition(field=status, source=Status.SCHEDULED, target=Status.COMPLETED)
    def complete(self) -> None:
        """The team's work is done; its reports go back to the cellule."""

    @transition(field=status, source=[Status.REQUESTED, Status.ACCEPTED, Status.SCHEDULED],
                target=Status.WITHDRAWN)
    def withdraw(self) -> None:
        """The cellule no longer needs the team."""


class InterventionReport(models.Model):
    """The team's report of one intervention, for the cellule."""

    request = models.ForeignKey(MobileTeamRequest, on_delete=models.PROTECT, related_name="reports",
                                verbose_name="demande")
    on = models.DateField("date de l'intervention")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name="par")
    text = models.CharField("compte rendu pour la cellule (factuel)", max_length=2000)
    created_at = models.DateTimeField("rédigé le", auto_now_add=True)

    class Meta:
        ordering = ["on", "pk"]
        verbose_name = "compte rendu d'intervention"

    def __str__(self) -> str:
        return f"Intervention du {self.on:%d/%m/%Y}"


class RequestMessage(models.Model):
    """A message between the team and the cellule's coordinators about one request. The other
    side's first reading is its read receipt (``read_by``, ``read_at``)."""

    request = models.ForeignKey(MobileTeamRequest, on_delete=models.PROTECT, related_name="messages",
                                verbose_name="demande")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name="auteur")
    from_team = models.BooleanField("de l'équipe mobile")
    text = models.CharField("message", max_length=2000)
    sent_at = models.DateTimeField("envoyé le", auto_now_add=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name="lu par")
    read_at = models.DateTimeField("lu le", null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name = "message sur une demande à l'équipe mobile"
        verbose_name_plural = "messages sur les demandes à l'équipe mobile"

    def __str__(self) -> str:
        return f"Message n° {self.pk} sur la demande n° {self.request_id}"


class MessageAttachment(StoredFile):
    """A file joined to a message of the conversation: a report, a letter to the family."""

    message = models.ForeignKey(RequestMessage, on_delete=models.PROTECT, related_name="attachments",
                                verbose_name="message")

    class Meta(StoredFile.Meta):
        pass
