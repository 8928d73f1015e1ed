"""The accompaniment plan of a case in care (objectives in named domains, each with its actions) and the
end-of-support bilan written at its closure."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from cases.models.case import Case
from cases.models.followup import CareMeasure
from cases.models.people import Situation
from organisation.models import Institution


class Domain(models.TextChoices):
    SCHOOLING = "schooling", "Scolarité et formation"
    INSERTION = "insertion", "Insertion"
    FAMILY = "family", "Famille"
    HEALTH = "health", "Santé et soin psychologique"
    CITIZENSHIP = "citizenship", "Citoyenneté"
    JUSTICE = "justice", "Justice"
    OTHER = "other", "Autre"


class Objective(models.Model):
    """What the accompaniment aims at in one domain; what came of it is said by the bilan."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="objectives", verbose_name="signalement")
    domain = models.CharField("domaine", max_length=16, choices=Domain.choices)
    text = models.CharField("objectif", max_length=300)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = "objectif"

    def __str__(self) -> str:
        return f"{self.get_domain_display()} : {self.text}"


class PlanAction(models.Model):
    """One step towards an objective: what, by whom (a member of the cellule or a partner institution),
    by when, where it stands; tied to the care measure that carries it, whose partner updates it."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Prévue"
        ONGOING = "ongoing", "En cours"
        DONE = "done", "Réalisée"
        DROPPED = "dropped", "Abandonnée"

    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="actions",
                                  verbose_name="objectif")
    what = models.CharField("action", max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name="membre de la cellule")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, null=True, blank=True,
                                    verbose_name="institution partenaire")
    measure = models.ForeignKey(CareMeasure, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="plan_actions", verbose_name="prise en charge qui la porte")
    due_on = models.DateField("échéance")
    status = models.CharField("état", max_length=16, choices=Status.choices, default=Status.PLANNED)
    note = models.CharField("point d'avancement", max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = "action du plan"
        verbose_name_plural = "actions du plan"

    def __str__(self) -> str:
        return self.what

    @property
    def by(self) -> str:
        return self.owner.get_full_name() if self.owner else str(self.institution)

    def clean(self) -> None:
        if (self.owner_id is None) == (self.institution_id is None):
            raise ValidationError({"owner": "Indiquez qui mène l'action : un membre de la cellule ou une institution "
                                            "partenaire (l'un ou l'autre)."})
        case = self.objective.case if self.objective_id else None
        if case and self.due_on and self.due_on < case.received_on:
            raise ValidationError({"due_on": f"L'échéance ne peut précéder la réception du signalement "
                                             f"(le {case.received_on:%d/%m/%Y})."})
        measure = self.measure if self.measure_id else None
        if case and measure is not None and measure.case_id != case.pk:
            raise ValidationError({"measure": "Cette prise en charge n'est pas celle de ce signalement."})
        if measure is not None and self.institution_id and self.institution_id != measure.institution_id:
            raise ValidationError({"institution": "Une action portée par une prise en charge est menée par "
                                                  "l'institution qui l'assure."})


class Bilan(models.Model):
    """The end-of-support bilan, written when a case whose care ended is closed (one per closure: a
    case reopened and closed again has another)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="bilans", verbose_name="signalement")
    closed_on = models.DateField("date de clôture")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="rédigé par")
    exit_situation = models.CharField("situation à la sortie", max_length=16, choices=Situation.choices)
    situation_note = models.CharField("précisions sur la situation à la sortie", max_length=500, blank=True)
    follow_up_planned = models.BooleanField("contact de suivi prévu après la sortie", default=False)
    follow_up_on = models.DateField("date du contact prévu", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["closed_on", "pk"]
        verbose_name = "bilan de fin d'accompagnement"
        verbose_name_plural = "bilans de fin d'accompagnement"

    def __str__(self) -> str:
        return f"Bilan du {self.closed_on:%d/%m/%Y}"

    def clean(self) -> None:
        if self.follow_up_planned and not self.follow_up_on:
            raise ValidationError({"follow_up_on": "Indiquez la date du contact de suivi prévu."})
        if self.follow_up_on and not self.follow_up_planned:
            raise ValidationError({"follow_up_on": "Une date ne s'indique que si un contact de suivi est prévu."})
        if self.follow_up_on and self.closed_on and self.follow_up_on <= self.closed_on:
            raise ValidationError({"follow_up_on": "Le contact de suivi se prévoit après la clôture."})


class ObjectiveResult(models.Model):
    """What came of one objective of the plan, as its bilan says."""

    class Result(models.TextChoices):
        REACHED = "reached", "Atteint"
        PARTLY = "partly", "Partiellement atteint"
        NOT_REACHED = "not_reached", "Non atteint"

    bilan = models.ForeignKey(Bilan, on_delete=models.PROTECT, related_name="results", verbose_name="bilan")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="results",
                                  verbose_name="objectif")
    result = models.CharField("résultat", max_length=16, choices=Result.choices)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["bilan", "objective"], name="one_result_per_objective")]
        verbose_name = "résultat d'un objectif"

    def __str__(self) -> str:
        return f"{self.objective} — {self.get_result_display()}"


class ReviewProgress(models.Model):
    """Where one objective of the plan stands at a follow-up review (``complete_review``)."""

    class Progress(models.TextChoices):
        ADVANCING = "advancing", "En progrès"
        UNCHANGED = "unchanged", "Sans évolution"
        SETBACK = "setback", "En recul"
        REACHED = "reached", "Atteint"

    review = models.ForeignKey("cases.FollowUpNote", on_delete=models.PROTECT, related_name="progress",
                               verbose_name="revue")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="progress",
                                  verbose_name="objectif")
    progress = models.CharField("avancement", max_length=16, choices=Progress.choices)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["review", "objective"], name="one_progress_per_objective")]
        verbose_name = "avancement d'un objectif"

    def __str__(self) -> str:
        return f"{self.objective} — {self.get_progress_display()}"
