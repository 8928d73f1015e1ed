"""The young people the cellule follows, each across their cases; their families, whose relatives (proches)
are shared by the cases of its children; and the consent given on each case."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cases.models.case import Case
from cases.names import name_key, phonetic, search_tokens
from organisation.models import Departement

phone_validator = RegexValidator(
    r"^\+?[0-9 .-]{6,20}$", "Numéro de téléphone invalide (chiffres, espaces, points, tirets)."
)


# The young people the cellules follow: minors and young adults; older at the signalement's reception
# is taken for a mistyped year of birth.
OLDEST = 25

class Sex(models.TextChoices):
    FEMALE = "f", "Féminin"
    MALE = "m", "Masculin"


def born(sex: str) -> str:
    """« née » or « né » by a young person's sex, which is always known (a required field)."""
    return "née" if sex == Sex.FEMALE else "né"


class Situation(models.TextChoices):
    SCHOOL = "school", "Scolarité en cours"
    APPRENTICE = "apprentice", "En apprentissage ou formation"
    HIGHER_EDUCATION = "higher_education", "Études supérieures"
    EMPLOYED = "employed", "En emploi"
    JOBSEEKER = "jobseeker", "En recherche d'emploi"
    DROPOUT = "dropout", "Sans scolarité ni activité"
    UNKNOWN = "unknown", "Inconnue"


class Family(models.Model):
    """A family of the département: its young people (``Person.family``) and its relatives, one record
    each, shared by every case of its children. Each case keeps its own consents and contacts."""

    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="département")
    # The family of the sending cellule a transfer brought it from: a sibling transferred later joins
    # this one instead of bringing another copy (``cases.actions.transfer``).
    copied_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name="transférée depuis")

    class Meta:
        verbose_name = "famille"

    def __str__(self) -> str:
        return f"Famille n° {self.pk}"


class Person(models.Model):
    """A young person (jeune) of a département, with every case about them (``cases``): a new signalement
    about someone already followed joins their open case or opens another case on the same record."""

    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="département")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="young_people", verbose_name="famille")
    last_name = models.CharField("nom", max_length=100)
    first_name = models.CharField("prénom", max_length=100)
    birth_date = models.DateField("date de naissance")
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    commune = models.CharField("commune de résidence", max_length=100)
    address = models.CharField("adresse", max_length=200, blank=True)
    situation = models.CharField("situation scolaire ou professionnelle", max_length=20, choices=Situation.choices,
                                 default=Situation.UNKNOWN)
    # The keys the duplicate detection looks people up by (cases.matching), kept by save().
    phonetic_last = models.CharField("clé phonétique du nom", max_length=100, blank=True, editable=False)
    phonetic_first = models.CharField("clé phonétique du prénom", max_length=100, blank=True, editable=False)
    # A duplicate record merged into another one (``cases.models.merges``): it holds no case any more.
    # Not indexed: no page looks records up by it, and an index built on a table in service would lock it;
    # its history is the merges' own (``PersonMerge``, and the trail).
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    editable=False, db_index=False, verbose_name="fusionnée dans")
    history = HistoricalRecords(excluded_fields=["phonetic_last", "phonetic_first", "merged_into"])

    class Meta:
        verbose_name = "jeune"
        indexes = [models.Index(fields=["birth_date"], name="person_birth_date"),
                   models.Index(fields=["phonetic_last", "birth_date"], name="person_phonetic_last")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}"

    def save(self, *args, **kwargs) -> None:
        """With the match keys and, when the names, the commune or the département changed, the search
        tokens (which carry the département: ``SearchToken``)."""
        self.phonetic_last, self.phonetic_first = phonetic(self.last_name), phonetic(self.first_name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "phonetic_last", "phonetic_first"}
        new = self.pk is None  # a copy too (a transfer's: read from the database, its key cleared)
        super().save(*args, **kwargs)
        if new or getattr(self, "_indexed", None) != self._words():
            self.search_tokens.all().delete()
            SearchToken.objects.bulk_create(SearchToken(person=self, departement_id=self.departement_id, token=token)
                                            for token in sorted(search_tokens(*self._words()[:3])))
            self._indexed = self._words()

    @classmethod
    def from_db(cls, db, field_names, values):
        person = super().from_db(db, field_names, values)
        person._indexed = person._words()
        return person

    def _words(self) -> tuple:
        """What the tokens are made of: the names and the commune, and the département they are kept in."""
        return (self.__dict__.get("last_name"), self.__dict__.get("first_name"), self.__dict__.get("commune"),
                self.__dict__.get("departement_id"))

    def clean(self) -> None:
        if not self.birth_date:
            return
        if self.birth_date > timezone.localdate():
            raise ValidationError({"birth_date": "La date de naissance ne peut pas être dans le futur."})
        # A known person against their first case; a new one is checked by the intake against its case.
        first = self.cases.aggregate(first=models.Min("received_on"))["first"] if self.pk else None
        if first is not None:
            self.check_age_at(first)

    def check_age_at(self, received_on: datetime.date) -> None:
        """Born before a signalement received that day, and young enough then to be followed."""
        if self.birth_date > received_on:
            raise ValidationError({"birth_date": "La date de naissance doit précéder la date de réception."})
        if self.age(received_on) > OLDEST:
            raise ValidationError({"birth_date": f"Le dispositif suit des jeunes : {self.age(received_on)} ans "
                                                 f"à la réception du signalement, c'est au-delà de {OLDEST} ans. "
                                                 "Vérifiez l'année de naissance."})

    @property
    def situation_text(self) -> str:
        """The situation as the summaries put it under the name: « Inconnue » alone says not what is unknown."""
        if self.situation == Situation.UNKNOWN:
            return "Situation scolaire ou professionnelle inconnue"
        return self.get_situation_display()

    @property
    def initials(self) -> str:
        return f"{self.first_name[:1]}. {self.last_name[:1]}.".upper()

    def age(self, at: datetime.date | None = None) -> int:
        at = at or timezone.localdate()
        before_birthday = (at.month, at.day) < (self.birth_date.month, self.birth_date.day)
        return at.year - self.birth_date.year - before_birthday

    def is_minor(self, at: datetime.date | None = None) -> bool:
        return self.age(at) < 18


class SearchToken(models.Model):
    """A word a young person is found by (their names and commune, ``cases.names.search_tokens``), in the
    young person's département: the search looks a département's words up by prefix on the index of
    ``(departement, token)``, never by scanning its people (``CaseQuerySet.search``)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="search_tokens")
    # The person's, copied (``Person.save`` keeps it): null only for the words the previous release wrote
    # while ``cases.0022`` ran, which its backfill and ``check_consistency`` find.
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, null=True, related_name="+",
                                    db_index=False, verbose_name="département")
    token = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "token"], name="search_token_unique")]
        indexes = [models.Index(fields=["departement", "token", "person"], name="search_token_departement")]

    def __str__(self) -> str:
        return self.token


class Relative(models.Model):
    """A relative (proche) of a family's young people: one record, whichever of its children's cases
    names them, their contact details in one place."""

    class Relation(models.TextChoices):
        MOTHER = "mother", "Mère"
        FATHER = "father", "Père"
        GUARDIAN = "guardian", "Tuteur ou tutrice"
        SIBLING = "sibling", "Frère ou sœur"
        GRANDPARENT = "grandparent", "Grand-parent"
        OTHER = "other", "Autre proche"

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="relatives", verbose_name="famille")
    relation = models.CharField("lien", max_length=16, choices=Relation.choices)
    last_name = models.CharField("nom", max_length=100)
    first_name = models.CharField("prénom", max_length=100)
    phone = models.CharField("téléphone", max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField("courriel", blank=True)
    address = models.CharField("adresse", max_length=200, blank=True)
    parental_authority = models.BooleanField("titulaire de l'autorité parentale", default=False)
    # The key a brother or sister's intake finds the family by (``cases.matching.find_families``).
    phonetic_last = models.CharField("clé phonétique du nom", max_length=100, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["phonetic_last"])

    class Meta:
        ordering = ["pk"]
        verbose_name = "proche"
        indexes = [models.Index(fields=["phonetic_last"], name="relative_phonetic_last")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name.upper()} ({self.get_relation_display().lower()})"

    def save(self, *args, **kwargs) -> None:
        self.phonetic_last = phonetic(self.last_name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "phonetic_last"}
        super().save(*args, **kwargs)

    @property
    def has_contact_details(self) -> bool:
        return bool(self.phone or self.email or self.address)

    def same_as(self, other: "Relative") -> bool:
        """The same member of a family: the same relation and names once normalised (``name_key``)."""
        return (self.relation == other.relation and name_key(self.last_name) == name_key(other.last_name)
                and name_key(self.first_name) == name_key(other.first_name))

    def clean(self) -> None:
        if self.family_id and any(self.same_as(other) for other in
                                  Relative.objects.filter(family_id=self.family_id).exclude(pk=self.pk)):
            raise ValidationError(f"{self} est déjà parmi les proches de cette famille : modifiez sa fiche plutôt "
                                  "que d'en créer une seconde.")


class Consent(models.Model):
    """The free consent (libre adhésion) of the young person or of the family, as recorded on a date."""

    class Party(models.TextChoices):
        YOUNG_PERSON = "young_person", "Jeune"
        FAMILY = "family", "Famille"

    class Status(models.TextChoices):
        GIVEN = "given", "Donnée"
        REFUSED = "refused", "Refusée"
        WITHDRAWN = "withdrawn", "Retirée"
        # The follow-up does not rest on this party's consent (a measure ordered by a judge…): no
        # withdrawal, the measures keep what the consent before it decided (``cases.actions.consent``).
        NOT_NEEDED = "not_needed", "Non requise"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consents", verbose_name="signalement")
    party = models.CharField("de qui", max_length=16, choices=Party.choices)
    status = models.CharField("adhésion", max_length=16, choices=Status.choices)
    reason = models.CharField("pourquoi l'adhésion n'est pas requise", max_length=300, blank=True, default="",
                              db_default="",  # the running version's inserts, during the upgrade
                              help_text="Seulement si elle n'est pas requise : mesure ordonnée par le juge…")
    on = models.DateField("date")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="enregistrée par")
    history = HistoricalRecords()

    class Meta:
        ordering = ["on", "pk"]
        verbose_name = "adhésion"

    def __str__(self) -> str:
        why = f" : {self.reason}" if self.reason else ""
        return f"{self.get_party_display()} : {self.get_status_display().lower()} le {self.on:%d/%m/%Y}{why}"

    def clean(self) -> None:
        self.reason = self.reason.strip()
        if self.status == self.Status.NOT_NEEDED and not self.reason:
            raise ValidationError({"reason": "Indiquez pourquoi l'adhésion n'est pas requise (par exemple : "
                                             "mesure ordonnée par le juge)."})
        if self.status != self.Status.NOT_NEEDED and self.reason:
            raise ValidationError({"reason": "Le motif ne s'indique que lorsque l'adhésion n'est pas requise."})

    @staticmethod
    def current(consents: Iterable["Consent"]) -> dict[tuple[int, str], "Consent"]:
        """Each (case, party)'s current consent among ``consents``: the latest recorded, by date then
        order of entry (a consent is a state: its latest event)."""
        return {(consent.case_id, consent.party): consent for consent in sorted(consents, key=lambda c: (c.on, c.pk))}
