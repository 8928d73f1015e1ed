"""A further signalement about the young person of a case already followed: recorded on that case
(``cases.actions.add_signalement``) rather than opening a second case for the same person."""

from django.conf import settings
from django.db import models

from cases.models.case import Source


class CaseSignalement(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="signalements",
                             verbose_name="signalement suivi")
    source = models.CharField("origine", max_length=8, choices=Source.choices)
    source_reference = models.CharField("référence à l'origine", max_length=50, blank=True, db_index=True)
    received_on = models.DateField("reçu le")
    facts = models.TextField("faits signalés (factuels)", max_length=2000)
    orientation_note = models.TextField(
        "orientation du groupe d'évaluation de l'EMS (factuelle)", max_length=1000, blank=True)
    # None: received from a source's service account through the API (the trail names the account).
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True, verbose_name="enregistré par")
    recorded_at = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        ordering = ["received_on", "pk"]
        verbose_name = "nouveau signalement"

    def __str__(self) -> str:
        return f"Signalement du {self.received_on:%d/%m/%Y} ({self.get_source_display()}) sur {self.case}"
