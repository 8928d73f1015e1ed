"""The actions of the cellule funded by the FIPD (Fonds interministériel de prévention de la délinquance).

The note of 19 February 2015: "Le bon fonctionnement de cette cellule conditionnera l'octroi des crédits
du FIPD … le Fonds a vocation à soutenir les actions engagées par les cellules départementales". An
action names no one: its beneficiaries are counts (young people, families), its operator an institution
of the département or a name typed by the coordinator.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from funding.amounts import euros
from organisation.models import Cell, Institution

FIRST_YEAR = 2015  # the note that set up the cellules and tied the FIPD's credits to them
LARGEST_AMOUNT = 10_000_000  # euros: more than a whole département's yearly FIPD credits
LARGEST_COUNT = 100_000  # people concerned by one action: more than any département follows


class FundedAction(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposée (demande déposée)"
        GRANTED = "granted", "Subvention accordée"
        REFUSED = "refused", "Refusée"
        UNDER_WAY = "under_way", "En cours"
        DONE = "done", "Réalisée"

    # The statuses in which credits were granted: the amount granted is known, and counts in the totals.
    FUNDED = (Status.GRANTED, Status.UNDER_WAY, Status.DONE)

    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="funded_actions", verbose_name="cellule")
    title = models.CharField("intitulé de l'action", max_length=200)
    description = models.TextField("objectifs et contenu", max_length=2000, blank=True)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="funded_actions", verbose_name="porteur (institution)",
                                    help_text="Une institution du département ; sinon, saisissez le porteur "
                                              "ci-dessous.")
    operator_name = models.CharField("porteur (autre)", max_length=200, blank=True,
                                     help_text="Le nom du porteur s'il n'est pas dans la liste des institutions.")
    year = models.PositiveSmallIntegerField("année de programmation", validators=[
        MinValueValidator(FIRST_YEAR, f"L'année est au plus tôt {FIRST_YEAR}, année de la création des cellules.")])
    amount_requested = models.PositiveIntegerField("montant demandé (euros)", validators=[
        MinValueValidator(1, "Le montant demandé est d'au moins 1 euro."),
        MaxValueValidator(LARGEST_AMOUNT, f"Le montant demandé dépasse {euros(LARGEST_AMOUNT)} : vérifiez-le.")])
    amount_granted = models.PositiveIntegerField(
        "montant accordé (euros)", null=True, blank=True,
        validators=[MaxValueValidator(LARGEST_AMOUNT,
                                      f"Le montant accordé dépasse {euros(LARGEST_AMOUNT)} : vérifiez-le.")],
        help_text="À renseigner une fois la subvention accordée ; au plus le montant demandé.")
    young_people = models.PositiveIntegerField("jeunes concernés", default=0, validators=[
        MaxValueValidator(LARGEST_COUNT, "Ce nombre de jeunes n'est pas plausible : vérifiez-le.")])
    families = models.PositiveIntegerField("familles concernées", default=0, validators=[
        MaxValueValidator(LARGEST_COUNT, "Ce nombre de familles n'est pas plausible : vérifiez-le.")])
    status = models.CharField("état", max_length=9, choices=Status.choices, default=Status.PROPOSED)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "title", "pk"]
        verbose_name = "action financée par le FIPD"
        verbose_name_plural = "actions financées par le FIPD"

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    @property
    def operator(self) -> str:
        return str(self.institution) if self.institution_id else self.operator_name

    @property
    def funded(self) -> bool:
        return self.status in self.FUNDED

    def clean(self) -> None:
        """What holds between the fields: one operator, a year of the programme, and an amount granted that
        agrees with the status and stays within the amount requested (the FIPD grants at most what is asked)."""
        errors: dict[str, str] = {}
        if not self.institution_id and not self.operator_name.strip():
            errors["institution"] = ("Indiquez le porteur de l'action : une institution du département, ou son nom "
                                     "dans « Porteur (autre) ».")
        elif self.institution_id and self.operator_name.strip():
            errors["operator_name"] = "Choisissez une institution ou saisissez un nom de porteur, pas les deux."
        elif self.institution and self.cell_id and (why := self.institution.not_partner_in(self.cell.departement_id)):
            errors["institution"] = why
        if self.year and self.year > (last := timezone.localdate().year + 1):
            errors["year"] = f"L'année est au plus tard {last} (la campagne de l'année prochaine)."
        granted, requested = self.amount_granted, self.amount_requested
        if self.status in self.FUNDED and not granted:
            errors["amount_granted"] = (f"Indiquez le montant accordé (au moins 1 euro) : l'action est "
                                        f"« {self.get_status_display()} ».")
        elif self.status not in self.FUNDED and granted is not None:
            errors["amount_granted"] = (f"Une action « {self.get_status_display()} » n'a pas de montant accordé : "
                                        "videz ce champ ou changez son état.")
        elif granted and requested and granted > requested:
            errors["amount_granted"] = (f"Le montant accordé ({euros(granted)}) ne peut dépasser le montant demandé "
                                        f"({euros(requested)}).")
        if errors:
            raise ValidationError(errors)
