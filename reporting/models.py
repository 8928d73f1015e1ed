"""The monthly report a préfet sends the ministry."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from organisation.models import Cell


class Difficulty(models.TextChoices):
    """The categories of difficulties a coordinator ticks beside the free text « Difficultés rencontrées »,
    counted nationally (number of reports citing each). Fixed here, in the order the report lists them."""

    NO_PARQUET = "parquet", "Absence ou faible implication du parquet"
    PARTNERS = "partners", "Manque de partenaires ou de places de prise en charge"
    MOBILE_TEAM = "mobile_team", "Délais de l'équipe mobile d'intervention"
    FAMILIES = "families", "Refus ou rupture des familles"
    MEANS = "means", "Moyens de la cellule (personnes, temps, locaux)"
    OTHER = "other", "Autre difficulté"


class MonthlyReport(models.Model):
    """The monthly table a préfet sends the ministry: figures computed from the data, two texts.

    A sent report is frozen: its ``figures`` are the snapshot that was sent; a correction is a new
    version, and both are kept.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Brouillon"
        VALIDATED = "validated", "Validé"
        # Sending: queued until the mail server accepts it (outbox); failed: given up, to send again.
        SENDING = "sending", "Envoi en cours"
        SEND_FAILED = "failed", "Échec de l'envoi"
        SENT = "sent", "Envoyé"

    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="reports", verbose_name="cellule")
    month = models.DateField("mois")  # the first day of the month
    version = models.PositiveSmallIntegerField("version", default=1)
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.DRAFT)
    results = models.TextField("résultats obtenus", max_length=5000, blank=True)
    difficulties = models.TextField("difficultés rencontrées", max_length=5000, blank=True)
    # A list of ``Difficulty`` values; the report's figures keep their labels when it is sent.
    difficulty_categories = models.JSONField("catégories de difficultés", default=list, blank=True,
                                             db_default=[])  # the running version's inserts, during the upgrade
    figures = models.JSONField("chiffres envoyés", null=True, blank=True)
    validated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="validé par")
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "-version"]
        constraints = [models.UniqueConstraint(fields=["cell", "month", "version"], name="report_version_once")]
        verbose_name = "compte rendu mensuel"
        verbose_name_plural = "comptes rendus mensuels"

    def __str__(self) -> str:
        return f"Compte rendu {self.month:%m/%Y} — {self.cell.departement.code} (v{self.version})"
