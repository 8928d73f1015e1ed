"""The free texts the case's events refer to: kept beside the trail, never in it.

The trail is append-only and outlives the case; what a person typed (a consultation motive's
précision, why a case was reopened…) may name someone. So an event names such a text by its id
(``cases.event_texts``), the text stays here, linked to the case, and the purge erases it with the
case's other rows (``retention.purge``): the trail keeps that something was said, never what."""

from django.db import models


class EventText(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="event_texts",
                             verbose_name="signalement")
    text = models.TextField("texte")  # as long as the field it was typed in (bounded by its form)
    created_at = models.DateTimeField("écrit le", auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = "texte d'un événement du journal"
        verbose_name_plural = "textes des événements du journal"

    def __str__(self) -> str:
        return f"Texte n° {self.pk} du signalement {self.case_id}"
