"""Legal holds, and the mark an erased case keeps."""

from django.conf import settings
from django.db import models

from cases.models import Case


class LegalHold(models.Model):
    """A case kept past its retention period (a judicial request, a litigation): the purge skips it
    while the hold is not lifted. Placed and lifted by a coordinator of the case's cellule, each
    with its reason, in the trail."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="legal_holds", verbose_name="signalement")
    reason = models.CharField("motif", max_length=500)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="posé par")
    placed_at = models.DateTimeField("posé le", auto_now_add=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name="levé par")
    lifted_at = models.DateTimeField("levé le", null=True, blank=True)
    lift_reason = models.CharField("motif de la levée", max_length=500, blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        verbose_name = "gel de conservation"
        verbose_name_plural = "gels de conservation"
        constraints = [models.UniqueConstraint(fields=["case"], condition=models.Q(lifted_at__isnull=True),
                                               name="one_active_hold_per_case")]

    def __str__(self) -> str:
        return f"Gel de conservation de {self.case.reference}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class Erasure(models.Model):
    """The personal data of this case were erased on this date under this rule: what remains of the
    case is what the reports and statistics count (dates, states, reasons, modalities)."""

    class Rule(models.TextChoices):
        CLOSED = "closed", "Durée de conservation après clôture écoulée"
        NOT_RELEVANT = "not_relevant", "Signalement sans suite : durée de conservation écoulée"

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="erasure", verbose_name="signalement")
    erased_at = models.DateTimeField("effacé le", auto_now_add=True)
    rule = models.CharField("règle", max_length=16, choices=Rule.choices)

    class Meta:
        verbose_name = "effacement"

    def __str__(self) -> str:
        return f"Effacement de {self.case.reference}"
