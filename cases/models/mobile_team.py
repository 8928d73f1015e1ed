"""Requests to the national mobile intervention team (équipe mobile d'intervention)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from cases.models.case import Case


class MobileTeamRequest(models.Model):
    class Expected(models.TextChoices):
        INDIVIDUAL_CARE = "individual_care", "Prise en charge psychologique individuelle"
        FAMILY_SUPPORT = "family_support", "Soutien à la famille"
        ADVICE = "advice", "Conseil aux professionnels de la cellule"
        OTHER = "other", "Autre"

    class Urgency(models.TextChoices):
        NORMAL = "normal", "Normale"
        URGENT = "urgent", "Urgente"

    class Outcome(models.TextChoices):
        REPORTED = "reported", "Compte rendu de l'équipe mobile"
        DECLINED = "declined", "Demande déclinée par l'équipe mobile"
        WITHDRAWN = "withdrawn", "Demande retirée par la cellule"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="mobile_team_requests",
                             verbose_name="signalement")
    motive = models.CharField("motif (factuel)", max_length=500)
    expected = models.CharField("aide attendue", max_length=16, choices=Expected.choices)
    urgency = models.CharField("urgence", max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="demandée par")
    requested_at = models.DateTimeField("demandée le", auto_now_add=True)
    outcome = models.CharField("issue", max_length=16, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField("réponse ou compte rendu (factuel)", max_length=1000, blank=True)
    closed_at = models.DateTimeField("close le", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = "demande à l'équipe mobile"
        verbose_name_plural = "demandes à l'équipe mobile"

    def __str__(self) -> str:
        return f"{self.get_expected_display()} ({self.get_urgency_display().lower()})"
