"""The alerts on unusual reading: an account that reached, in one day, many more cases outside its own
work than its history and its peers' let expect (``vigilance.detector``, docs/alertes-lecture.md)."""

from django.conf import settings
from django.db import models

from organisation.models import Cell, Departement, Role


class ReadingAlertQuerySet(models.QuerySet):
    def to_examine(self) -> "ReadingAlertQuerySet":
        return self.filter(examined_at__isnull=True)


class ReadingAlert(models.Model):
    """One account's unusual day: the events behind it (their ids in the trail), the figures it was
    compared with, and the coordinator's examination."""

    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="reading_alerts", verbose_name="cellule")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name="compte")
    role = models.CharField("rôle", max_length=16, choices=Role.choices)
    day = models.DateField("jour")
    reached = models.PositiveIntegerField("signalements et personnes atteints hors de son travail")
    own_limit = models.FloatField("limite tirée de son propre historique")
    peer_limit = models.FloatField("limite tirée de ses pairs")
    floor = models.PositiveSmallIntegerField("seuil de la cellule")
    event_ids = models.JSONField("événements en cause", default=list)
    raised_at = models.DateTimeField("levée le")
    examined_at = models.DateTimeField("examinée le", null=True, blank=True)
    examined_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="examinée par")
    comment = models.TextField("commentaire d'examen", blank=True)

    objects = ReadingAlertQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "-pk"]
        verbose_name = "alerte de lecture inhabituelle"
        verbose_name_plural = "alertes de lecture inhabituelle"
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="vigilance_one_alert_a_day")]

    def __str__(self) -> str:
        return f"Alerte de lecture du {self.day:%d/%m/%Y}"

    @property
    def departement(self) -> Departement:
        """The account's cellule's: where the trail records what is done to the alert, refusals included."""
        return self.cell.departement
