"""The procureur de la République informed of a situation: the cellule works "en lien avec le Procureur"
(note of 19 February 2015), and each time it tells the parquet of a case is a recorded step of the case."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cases.models.case import Case


class ProsecutorInformation(models.Model):
    class Means(models.TextChoices):
        LETTER = "letter", "Courrier"
        EMAIL = "email", "Courriel"
        PHONE = "phone", "Téléphone"
        MEETING = "meeting", "Réunion"
        FILE = "file", "Transmission du dossier"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="prosecutor_informations",
                             verbose_name="signalement")
    on = models.DateField("date de l'information")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name="enregistrée par")
    means = models.CharField("moyen", max_length=16, choices=Means.choices)
    shared = models.CharField("ce qui a été transmis (factuel)", max_length=1000)
    # The case's file as exported in PDF (``cases.views.export``) and sent with the information: the export's
    # SHA-256, which its ``case.export_pdf`` event holds, so that the copy the parquet holds can be matched.
    export_sha256 = models.CharField("export PDF transmis (empreinte SHA-256)", max_length=64, blank=True)
    recorded_at = models.DateTimeField("enregistrée le", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["on", "pk"]
        verbose_name = "information du procureur"
        verbose_name_plural = "informations du procureur"

    def __str__(self) -> str:
        return f"Information du procureur du {self.on:%d/%m/%Y} ({self.get_means_display().lower()})"

    def clean(self) -> None:
        if self.on and self.on > timezone.localdate():
            raise ValidationError({"on": "La date de l'information ne peut pas être dans le futur."})
        if self.on and self.case_id and self.on < self.case.received_on:
            raise ValidationError({"on": f"L'information du procureur ne peut précéder la réception du signalement "
                                         f"(le {self.case.received_on:%d/%m/%Y})."})
