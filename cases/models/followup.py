"""What the cellule does for a case: family contacts, care measures and follow-up reviews."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cases.models.case import Case
from organisation.models import Institution

PLANNED_AHEAD = datetime.timedelta(days=183)  # a care measure is planned at most six months ahead


class FamilyContact(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", "Téléphone"
        VISIT = "visit", "Visite à domicile"
        MEETING = "meeting", "Entretien dans les locaux"
        LETTER = "letter", "Courrier"
        EMAIL = "email", "Courriel"

    class Outcome(models.TextChoices):
        REACHED = "reached", "Famille jointe"
        UNREACHABLE = "unreachable", "Injoignable"
        REFUSED = "refused", "Refus de la famille"
        NOT_ATTEMPTED = "not_attempted", "Non tenté"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="family_contacts", verbose_name="signalement")
    on = models.DateField("date")
    channel = models.CharField("moyen", max_length=16, choices=Channel.choices, blank=True)  # none if not attempted
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par")
    outcome = models.CharField("résultat", max_length=16, choices=Outcome.choices)
    not_attempted_reason = models.CharField("motif (si non tenté)", max_length=200, blank=True)
    note = models.CharField("note (factuelle)", max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["on", "pk"]
        verbose_name = "contact avec la famille"
        verbose_name_plural = "contacts avec la famille"

    def __str__(self) -> str:
        return " — ".join(filter(None, [f"{self.on:%d/%m/%Y}", self.get_channel_display(), self.get_outcome_display()]))

    def clean(self) -> None:
        if self.outcome == self.Outcome.NOT_ATTEMPTED and not self.not_attempted_reason.strip():
            raise ValidationError({"not_attempted_reason": "Indiquez pourquoi le contact n'a pas été tenté."})
        if self.outcome == self.Outcome.NOT_ATTEMPTED and self.channel:
            raise ValidationError({"channel": "Un contact non tenté n'a pas de moyen : laissez « Moyen » vide."})
        if self.outcome and self.outcome != self.Outcome.NOT_ATTEMPTED and not self.channel:
            raise ValidationError({"channel": "Indiquez le moyen du contact."})
        if self.on and self.case_id and self.on < self.case.received_on:
            raise ValidationError({"on": f"Le contact ne peut précéder la réception du signalement "
                                         f"(le {self.case.received_on:%d/%m/%Y})."})


class CareMeasure(models.Model):
    class Modality(models.TextChoices):
        SOCIAL = "social", "Accompagnement social"
        EDUCATIONAL = "educational", "Scolaire ou éducatif"
        PSYCHOLOGICAL = "psychological", "Psychologique"
        HEALTH = "health", "Santé"
        INSERTION = "insertion", "Insertion professionnelle"
        FAMILY_SUPPORT = "family_support", "Soutien à la famille"
        SUPPORT_GROUP = "support_group", "Groupe de parole"
        OTHER = "other", "Autre"

    class Beneficiary(models.TextChoices):
        YOUNG_PERSON = "young_person", "Jeune"
        FAMILY = "family", "Famille"

    class Adhesion(models.TextChoices):
        """What the orientation to the partner rests on (the note of 19 February 2015: "libre adhésion")."""
        FAMILY = "family", "Adhésion de la famille recueillie"
        YOUNG_PERSON = "young_person", "Adhésion du jeune recueillie"
        NOT_NEEDED = "not_needed", "Adhésion non requise (mesure ordonnée ou de protection)"

    class Outcome(models.TextChoices):
        COMPLETED = "completed", "Menée à son terme"
        INTERRUPTED = "interrupted", "Interrompue"
        REFUSED = "refused", "Refusée par la personne"
        REDIRECTED = "redirected", "Réorientée"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="care_measures", verbose_name="signalement")
    modality = models.CharField("modalité", max_length=16, choices=Modality.choices)
    beneficiary = models.CharField("bénéficiaire", max_length=16, choices=Beneficiary.choices)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, verbose_name="institution partenaire")
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin", null=True, blank=True)
    outcome = models.CharField("issue", max_length=16, choices=Outcome.choices, blank=True)
    # The orientation to the partner: while the measure runs, the partner's members of the cellule see
    # what it needs of the case (``cases.rules.is_partner``). Blank on measures recorded before it.
    adhesion = models.CharField("adhésion à l'orientation", max_length=16, choices=Adhesion.choices, blank=True)
    adhesion_note = models.CharField("pourquoi l'adhésion n'est pas requise", max_length=300, blank=True)
    # The adhesion it rested on was withdrawn or refused that day: the partner no longer sees the case, and
    # the référent ends the measure or re-bases it (``cases.actions.records``).
    consent_lost_on = models.DateField("adhésion retirée le", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = "prise en charge"
        verbose_name_plural = "prises en charge"

    def __str__(self) -> str:
        return f"{self.get_modality_display()} ({self.get_beneficiary_display().lower()}), {self.institution}"

    def clean(self) -> None:
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "La fin ne peut précéder le début."})
        if self.starts_on and self.case_id and self.starts_on < self.case.received_on:
            raise ValidationError({"starts_on": f"La prise en charge ne peut commencer avant la réception du "
                                                f"signalement (le {self.case.received_on:%d/%m/%Y})."})
        if self.institution_id and self.case_id and self._institution_chosen() and (
                why := self.institution.not_partner_in(self.case.departement_id)):
            raise ValidationError({"institution": why})
        if self.starts_on and self.starts_on > timezone.localdate() + PLANNED_AHEAD:
            raise ValidationError({"starts_on": "Une prise en charge se prévoit au plus six mois à l'avance."})
        if self.ends_on and not self.outcome:
            raise ValidationError({"outcome": "Indiquez l'issue de la prise en charge terminée."})
        if self.outcome and not self.ends_on:
            raise ValidationError({"ends_on": "Indiquez la date de fin de la prise en charge."})
        if self.adhesion == self.Adhesion.NOT_NEEDED and not self.adhesion_note.strip():
            raise ValidationError({"adhesion_note": "Indiquez pourquoi l'adhésion n'est pas requise (par exemple : "
                                                    "mesure ordonnée par le juge)."})
        if self.adhesion != self.Adhesion.NOT_NEEDED and self.adhesion_note.strip():
            raise ValidationError({"adhesion_note": "Le motif ne s'indique que lorsque l'adhésion n'est pas requise."})

    def _institution_chosen(self) -> bool:
        """Its partner is being chosen (a new measure, or a corrected one): a measure that keeps the partner it
        was given when national bodies were offered still ends, is re-based and closes."""
        kept = CareMeasure.objects.filter(pk=self.pk, institution=self.institution_id)
        return self._state.adding or not kept.exists()

    @property
    def is_active(self) -> bool:
        return self.ends_on is None


class FollowUpNote(models.Model):
    """The referent's periodic follow-up review of a case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="followups", verbose_name="signalement")
    on = models.DateField("date")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par")
    note = models.CharField("point de situation (factuel)", max_length=1000)
    propose_closure = models.BooleanField("proposer la clôture", default=False)

    class Meta:
        ordering = ["on", "pk"]
        verbose_name = "revue de suivi"

    def __str__(self) -> str:
        return f"Revue du {self.on:%d/%m/%Y}"
