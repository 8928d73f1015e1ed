"""A transfer to another département, waiting for the receiving cellule's coordinators."""

from django.conf import settings
from django.db import models

from organisation.models import Departement


class CaseTransferQuerySet(models.QuerySet):
    def pending(self):
        """The request waiting for the destination's answer (one at most per case)."""
        return self.filter(status=CaseTransfer.Status.PENDING)


class CaseTransfer(models.Model):
    """Requested by the sending coordinators; the case stays open here until the receiving
    coordinators accept it (the case is then closed here and a received case opened there) or
    refuse it with a reason (the case goes on here); until then the sending coordinators may withdraw it."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        ACCEPTED = "accepted", "Accepté"
        REFUSED = "refused", "Refusé"
        WITHDRAWN = "withdrawn", "Retiré par la cellule d'origine"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="transfer_requests",
                             verbose_name="signalement")
    destination = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="département de destination")
    note = models.CharField("motif du transfert", max_length=500)
    status = models.CharField("état", max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="demandé par")
    requested_at = models.DateTimeField("demandé le", auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="décidé par")
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    refusal_reason = models.CharField("motif du refus", max_length=500, blank=True)
    new_case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="signalement ouvert à l'arrivée")

    objects = CaseTransferQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = "transfert"
        constraints = [models.UniqueConstraint(fields=["case"], condition=models.Q(status="pending"),
                                               name="one_pending_transfer_per_case")]

    def __str__(self) -> str:
        return f"Transfert de {self.case.reference} vers {self.destination}"
