"""The organisation: départements, their cellule, partner institutions, memberships and mandates."""

import datetime
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django_otp.models import Device, ThrottlingMixin
from simple_history.models import HistoricalRecords

from organisation.departements import COLLECTIVITES, PARIS

COLLECTIVITE_CODES = frozenset(code for code, *_ in COLLECTIVITES)


class Role(models.TextChoices):
    """What an account does; its labels name the function, never a man or a woman (« Coordination de la
    cellule »): the person's own title is their membership's ``function``."""

    COORDINATOR = "coordinator", "Coordination de la cellule"
    MEMBER = "member", "Membre de la cellule"
    MOBILE_TEAM = "mobile_team", "Équipe mobile d'intervention"
    INSPECTOR = "inspector", "Inspection"
    NATIONAL = "national", "Niveau national (CIPDR)"
    ADMIN = "admin", "Administration technique"

    @classmethod
    def cell_roles(cls) -> tuple["Role", ...]:
        """Roles held within one cellule; the others are national and have no cellule.
        A tuple, not a set: its order is written in a migration and must not vary."""
        return (cls.COORDINATOR, cls.MEMBER)

    @classmethod
    def steering_roles(cls) -> frozenset["Role"]:
        """Roles that administer the accounts or steer the country: never with one that reads cases."""
        return frozenset({cls.ADMIN, cls.NATIONAL})

    @classmethod
    def case_roles(cls) -> frozenset["Role"]:
        """Roles that read young people's names: the cellule's, the mobile team's, the inspection's."""
        return frozenset(cls) - cls.steering_roles()


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"Fuseau horaire inconnu : « {value} » (par exemple Europe/Paris, Pacific/Noumea).")


class Departement(models.Model):
    """A territory with a cellule: a département, or a collectivité of overseas France
    (``organisation.departements``)."""

    code = models.CharField("code", max_length=3, unique=True)
    name = models.CharField("nom", max_length=64)
    representative = models.CharField("représentant de l'État", max_length=120, blank=True, default="",
                                      db_default="", help_text="Vide : le préfet.")
    # The territory's clock: its people's pages, their "today" and its monthly report's months.
    time_zone = models.CharField("fuseau horaire", max_length=40, default=PARIS, db_default=PARIS,
                                 validators=[validate_time_zone])

    class Meta:
        ordering = ["code"]
        verbose_name = "département"

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def representative_title(self) -> str:
        """Who the note of 19 February 2015 is addressed to there: « préfet », « haut-commissaire de la
        République en Nouvelle-Calédonie »…"""
        return self.representative or "préfet"

    @property
    def of_code(self) -> str:
        """« du département 93 », « de la collectivité 988 »."""
        return f"de la collectivité {self.code}" if self.code in COLLECTIVITE_CODES else f"du département {self.code}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def zone_label(self, at: datetime.datetime | None = None) -> str:
        """The time zone as a reader understands it: « Pacific/Noumea (UTC+11:00) »."""
        offset = timezone.localtime(at or timezone.now(), self.zone).strftime("%z")
        return f"{self.time_zone} (UTC{offset[:3]}:{offset[3:]})"


class Cell(models.Model):
    """The cellule de suivi of one département."""

    class ChairFunction(models.TextChoices):
        """Who chairs it, by function: a man or a woman (« Direction de cabinet »)."""

        PREFET = "prefet", "Préfet ou préfète"
        DIRECTEUR_CABINET = "directeur_cabinet", "Direction de cabinet"
        SOUS_PREFET = "sous_prefet", "Sous-préfet ou sous-préfète"

    class Periodicity(models.TextChoices):
        WEEKLY = "weekly", "Hebdomadaire"
        FORTNIGHTLY = "fortnightly", "Tous les quinze jours"
        MONTHLY = "monthly", "Mensuelle"
        BIMONTHLY = "bimonthly", "Tous les deux mois"
        QUARTERLY = "quarterly", "Trimestrielle"

    departement = models.OneToOneField(Departement, on_delete=models.PROTECT, verbose_name="département")
    chair_function = models.CharField("présidence", max_length=32, choices=ChairFunction.choices)
    meeting_periodicity = models.CharField("périodicité des réunions", max_length=16, choices=Periodicity.choices)
    installed_on = models.DateField("installée le", null=True, blank=True)
    # The follow-up's rhythm: the next review of a case in care (or with the mobile team) is offered
    # that many days after the last (``cases.actions.lifecycle``); a case with no action recorded for
    # ``stagnant_days`` is flagged to the coordinators (``reporting.dashboard.stagnant``).
    review_days_in_care = models.PositiveSmallIntegerField(
        "revue des prises en charge tous les (jours)", default=30, db_default=30,
        validators=[MinValueValidator(7), MaxValueValidator(183)])
    review_days_mobile_team = models.PositiveSmallIntegerField(
        "revue pendant l'intervention de l'équipe mobile tous les (jours)", default=15, db_default=15,
        validators=[MinValueValidator(7), MaxValueValidator(183)])
    stagnant_days = models.PositiveSmallIntegerField(
        "signaler un signalement sans action depuis (jours)", default=60, db_default=60,
        validators=[MinValueValidator(14), MaxValueValidator(365)])
    # The floor of the alerts on unusual reading (``vigilance.detector``, docs/alertes-lecture.md): no
    # alert for an account that reached fewer cases outside its work in a day, whatever its history.
    reading_alert_floor = models.PositiveSmallIntegerField(
        "alerte de lecture inhabituelle à partir de (signalements par jour)", default=5, db_default=5,
        validators=[MinValueValidator(2), MaxValueValidator(200)])
    history = HistoricalRecords()

    class Meta:
        ordering = ["departement__code"]
        verbose_name = "cellule"

    def __str__(self) -> str:
        # Lower case: it is written within sentences (« Composition de la cellule 93 — … »).
        return f"cellule {self.departement}"

    def parquet_represented(self, at: datetime.date | None = None) -> bool:
        """Whether a coordinator or member of the cellule represents the parquet on a date (today by default),
        as the monthly report counts it (``reporting.figures``)."""
        return Membership.objects.composition(self, at).representing_parquet().exists()

    @staticmethod
    def parquet_represented_among(memberships: Iterable["Membership"]) -> bool:
        """The same question on memberships already read with their institution (the home page's
        composition card): one of them a coordinator's or a member's from a parquet."""
        return any(m.role in Role.cell_roles() and m.institution.is_parquet for m in memberships)

    @property
    def chair(self) -> str:
        """The presidency as said there: the préfet is, overseas, the haut-commissaire de la République,
        the administrateur supérieur or the préfet délégué."""
        if self.chair_function == self.ChairFunction.PREFET:
            return capfirst(self.departement.representative_title)
        return self.get_chair_function_display()


class InstitutionQuerySet(models.QuerySet):
    def serving(self, departement_id: int):
        """The institutions a département's cellule works with: its own and the national bodies."""
        return self.filter(Q(departement_id=departement_id) | Q(departement__isnull=True))

    def partners_in(self, departement_id: int):
        """The institutions that take people into care in a département (a care measure, a plan's action, a
        support group): its own. Never a national body: the inspection, the ministry and the mobile team's
        provider (called through its own requests) take no one into care."""
        return self.filter(departement_id=departement_id).exclude(category=Institution.Category.NATIONAL_PROVIDER)


def parquet(prefix: str = "") -> Q:
    """The institutions that are a public prosecutor's office (``Institution.is_parquet``), as a condition on
    ``prefix`` (``"institution__"`` from a membership)."""
    return Q(**{f"{prefix}category": Institution.Category.JUSTICE, f"{prefix}name__icontains": "parquet"})


class InstitutionDetails(models.Model):
    """What says who an institution is: an institution's own fields, and those a coordinator proposes
    (``InstitutionProposal``) for the technical administrator to create it from."""

    class Category(models.TextChoices):
        STATE = "state", "Services de l'État"
        JUSTICE = "justice", "Justice"
        LOCAL_AUTHORITY = "local_authority", "Collectivité territoriale"
        ASSOCIATION = "association", "Association"
        LOCAL_PREVENTION = "local_prevention", "Dispositif local de prévention (CLSPD, CISPD, réussite éducative)"
        NATIONAL_PROVIDER = "national_provider", "Prestataire national"

    class PreventionKind(models.TextChoices):
        """The local bodies the cellule works with ("articuler son action avec celle des CLSPD ou CISPD, comme
        avec celle des équipes de réussite éducative", note of 19 February 2015)."""

        CLSPD = "clspd", "CLSPD (conseil local de sécurité et de prévention de la délinquance)"
        CISPD = "cispd", "CISPD (conseil intercommunal de sécurité et de prévention de la délinquance)"
        PRE = "pre", "Programme de réussite éducative"

    name = models.CharField("nom", max_length=128)
    category = models.CharField("catégorie", max_length=32, choices=Category.choices)
    # Blank for other institutions (and in the database: the previous release, still serving during the
    # migration, inserts institutions without them).
    prevention_kind = models.CharField("dispositif", max_length=8, choices=PreventionKind.choices, blank=True,
                                       default="", db_default="")
    territory = models.CharField("commune ou intercommunalité", max_length=200, blank=True, default="", db_default="")
    contact_name = models.CharField("contact", max_length=128, blank=True, default="", db_default="")
    contact_email = models.EmailField("courriel du contact", blank=True, default="", db_default="")
    contact_phone = models.CharField("téléphone du contact", max_length=32, blank=True, default="", db_default="")

    class Meta:
        abstract = True

    @property
    def is_local_prevention(self) -> bool:
        return self.category == self.Category.LOCAL_PREVENTION

    def clean(self) -> None:
        """A local prevention body says which one it is and for which territory; no other institution does."""
        if self.is_local_prevention and not self.prevention_kind:
            raise ValidationError({"prevention_kind": "Indiquez le dispositif : CLSPD, CISPD ou réussite éducative."})
        if self.is_local_prevention and not self.territory.strip():
            raise ValidationError({"territory": "Indiquez la commune ou l'intercommunalité du dispositif."})
        if self.prevention_kind and not self.is_local_prevention:
            raise ValidationError({"prevention_kind": "Seul un dispositif local de prévention est un CLSPD, un CISPD "
                                                      "ou un programme de réussite éducative."})


class Institution(InstitutionDetails):
    name = models.CharField("nom", max_length=128, unique=True)
    # The département an institution works in; none for the national bodies (the mobile team's
    # provider, the inspection, the ministry), which every département may call on.
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="institutions", verbose_name="département",
                                    help_text="Vide pour un organisme national.")
    history = HistoricalRecords()

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "institution"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.is_local_prevention and self.departement_id is None:
            raise ValidationError({"departement": "Un dispositif local de prévention appartient à un département."})

    @property
    def is_parquet(self) -> bool:
        """Whether the institution is a public prosecutor's office: the cellule works "en lien avec le
        Procureur" (note of 19 February 2015), so its representative is shown and reported."""
        return self.category == self.Category.JUSTICE and "parquet" in self.name.lower()  # as ``parquet()``

    def serves(self, departement_id: int) -> bool:
        """Whether a cellule of this département may work with the institution."""
        return self.departement_id is None or self.departement_id == departement_id

    def not_partner_in(self, departement_id: int) -> str:
        """Why the institution takes no one into care in the département (``partners_in``); "" when it does."""
        if self.departement_id is None or self.category == self.Category.NATIONAL_PROVIDER:
            return (f"{self} est un organisme national, qui ne prend personne en charge : choisissez une "
                    "institution partenaire du département.")
        if self.departement_id != departement_id:
            return (f"{self} intervient dans un autre département : choisissez une institution partenaire du "
                    "département.")
        return ""


class InstitutionProposal(InstitutionDetails):
    """An institution a cellule's coordinator asks for (the parquet, a CAF, a mission locale, a CLSPD…):
    it is no institution, offered nowhere, until the technical administrator validates it, which creates
    the institution in the proposal's département; or refuses it, with the reason."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente de validation"
        VALIDATED = "validated", "Validée"
        REFUSED = "refused", "Refusée"

    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="institution_proposals",
                                    verbose_name="département")
    motive = models.CharField("pourquoi la cellule en a besoin", max_length=500, blank=True)
    status = models.CharField("état", max_length=16, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="proposée par")
    proposed_at = models.DateTimeField("proposée le", default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="décidée par")
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    refusal_reason = models.CharField("motif du refus", max_length=500, blank=True)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name="institution créée")

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = "proposition d'institution"
        verbose_name_plural = "propositions d'institutions"

    def __str__(self) -> str:
        return f"{self.name} ({self.departement.code})"


class MembershipQuerySet(models.QuerySet):
    def active(self, at: datetime.date | None = None):
        """Memberships held on a date (today by default). A membership's end date is the day the
        person leaves: from that day it opens nothing ("n'aura plus accès à la cellule à cette date")."""
        at = at or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=at), starts_on__lte=at)

    def composition(self, cell: "Cell", at: datetime.date | None = None):
        """The cellule's coordinators and members on a date (today by default)."""
        return self.active(at).filter(cell=cell, role__in=Role.cell_roles())

    def representing_parquet(self):
        """Those whose institution is a parquet: the cellule works "en lien avec le Procureur" (note of 19
        February 2015); the monthly report and the cellule's pages say when none sits in it."""
        return self.filter(parquet("institution__"))

    def at_prefecture(self, cell: "Cell"):
        """The cellule's people who work at its préfecture, active: those of its coordinators' institution (the
        préfet, the directeur de cabinet and the référent radicalisation are the préfecture's agents)."""
        people = self.active().filter(cell=cell, user__is_active=True)
        return people.filter(institution__in=people.filter(role=Role.COORDINATOR).values("institution"))


class Membership(models.Model):
    """A user's role, in a cellule for coordinators and members, national otherwise."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships", verbose_name="utilisateur"
    )
    cell = models.ForeignKey(
        Cell, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships", verbose_name="cellule"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, verbose_name="institution")
    function = models.CharField("fonction", max_length=128)
    role = models.CharField("rôle", max_length=16, choices=Role.choices)
    contacts_families = models.BooleanField(
        "désignation pour contacter les familles", default=False,
        help_text="Un membre que la coordination désigne peut prendre les tâches de contact avec les familles.",
    )
    radicalisation_referent = models.BooleanField(
        "référent radicalisation", default=False,
        help_text="Désigné par le préfet ; la coordination l'indique dans la composition de la cellule.",
    )
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin", null=True, blank=True)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["cell__departement__code", "role", "user__last_name"]
        verbose_name = "membre"
        constraints = [
            models.CheckConstraint(
                name="membership_cell_iff_cell_role",
                condition=(
                    Q(role__in=Role.cell_roles(), cell__isnull=False)
                    | (~Q(role__in=Role.cell_roles()) & Q(cell__isnull=True))
                ),
            ),
            models.CheckConstraint(
                name="membership_ends_after_start",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
            ),
        ]

    def __str__(self) -> str:
        where = f" — {self.cell}" if self.cell_id else ""
        return f"{self.user.get_full_name() or self.user.username} ({self.get_role_display()}{where})"

    @property
    def is_current(self) -> bool:
        """Whether it holds today, as ``Membership.objects.active()`` selects."""
        today = timezone.localdate()
        return self.starts_on <= today and (self.ends_on is None or self.ends_on >= today)

    def clean(self) -> None:
        if self.role in Role.cell_roles() and not self.cell_id:
            raise ValidationError({"cell": "Un coordonnateur ou un membre appartient à une cellule."})
        if self.role not in Role.cell_roles() and self.cell_id:
            raise ValidationError({"cell": "Ce rôle est national : il ne se rattache à aucune cellule."})
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "La fin ne peut précéder le début."})
        if self.radicalisation_referent and not self.cell_id:
            raise ValidationError({"radicalisation_referent": "Le référent radicalisation siège dans une cellule."})
        if self.cell is not None and self.institution_id and not self.institution.serves(self.cell.departement_id):
            raise ValidationError({"institution": "Cette institution travaille dans un autre département : "
                                                  "choisissez une institution du département ou nationale."})
        if self.user_id and self.role:
            self._check_separation_of_duties()

    def _check_separation_of_duties(self) -> None:
        """No account ever holds both a role that administers accounts or the country and one that
        reads cases, at once or one after the other: otherwise whoever holds the first could give
        themselves (or an account they hold) the second."""
        other = Role.case_roles() if self.role in Role.steering_roles() else Role.steering_roles()
        held = Membership.objects.filter(user_id=self.user_id, role__in=other).exclude(pk=self.pk)
        if held.exists():
            raise ValidationError({"role": (
                "Ce compte administre les comptes ou relève du niveau national : il ne peut recevoir un rôle qui "
                "ouvre les signalements. Une même personne a un compte distinct pour chacun."
                if self.role in Role.case_roles() else
                "Ce compte a eu un rôle qui ouvre les signalements : il ne peut administrer les comptes ni relever "
                "du niveau national. Une même personne a un compte distinct pour chacun.")})


class MandateQuerySet(models.QuerySet):
    def active(self, at: datetime.date | None = None):
        """Mandates valid on a date (today by default: "valide jusqu'au" includes its last day) and
        approved by a second person."""
        at = at or timezone.localdate()
        return self.filter(starts_on__lte=at, ends_on__gte=at, approved_at__isnull=False)


class Mandate(models.Model):
    """An inspection mandate: which départements an inspector may review, while it is valid
    (``starts_on`` to ``ends_on``), and which period of their activity (``reviews_from`` to
    ``reviews_until``: the events of the trail and the cases active then). A national officer
    requests it, another one approves it; until then it opens nothing."""

    reference = models.CharField("référence", max_length=64, unique=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mandates", verbose_name="inspecteur"
    )
    departements = models.ManyToManyField(Departement, verbose_name="départements")
    starts_on = models.DateField("valide du")
    ends_on = models.DateField("valide jusqu'au")
    reviews_from = models.DateField("période examinée, du")
    reviews_until = models.DateField("période examinée, au")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="demandé par")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="approuvé par")
    approved_at = models.DateTimeField("approuvé le", null=True, blank=True)

    objects = MandateQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = "mandat d'inspection"
        verbose_name_plural = "mandats d'inspection"
        constraints = [
            models.CheckConstraint(name="mandate_ends_after_start", condition=Q(ends_on__gte=models.F("starts_on"))),
            models.CheckConstraint(name="mandate_reviewed_period",
                                   condition=Q(reviews_until__gte=models.F("reviews_from"))),
        ]

    def __str__(self) -> str:
        return self.reference

    def clean(self) -> None:
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "La fin ne peut précéder le début."})
        if self.reviews_until and self.reviews_from and self.reviews_until < self.reviews_from:
            raise ValidationError({"reviews_until": "La fin de la période examinée ne peut précéder son début."})
        if self.reviews_until and self.ends_on and self.reviews_until > self.ends_on:
            raise ValidationError({"reviews_until": "La période examinée ne peut aller au-delà de la fin du mandat."})


class SecondFactor(ThrottlingMixin, Device):
    """A user's authenticator application (TOTP, RFC 6238), its secret encrypted at rest; its codes
    are checked by ``organisation.second_factor.verify_totp``. Failed codes slow down the next tries
    (``ThrottlingMixin``)."""

    # Annotated: django-otp's Device, untyped, hides the fields' types from the type checker.
    secret: models.TextField = models.TextField("secret chiffré")
    last_t: models.BigIntegerField = models.BigIntegerField("dernier pas de temps accepté", default=-1)

    class Meta(Device.Meta):
        verbose_name = "second facteur"
        verbose_name_plural = "seconds facteurs"

    def get_throttle_factor(self) -> int:
        return 1


class RecoveryCode(models.Model):
    """A single-use code to sign in without the authenticator, kept as a keyed hash only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField("empreinte", max_length=64)
    used_at = models.DateTimeField("utilisé le", null=True, blank=True)

    class Meta:
        verbose_name = "code de secours"
        verbose_name_plural = "codes de secours"

    def __str__(self) -> str:
        return f"code de secours de {self.user}" + (" (utilisé)" if self.used_at else "")


class AccountRecovery(models.Model):
    """Getting an existing account back: a new password link or a new second factor (a lost phone).

    Never one person's act (separation of duties): the technical administrator asks, a second person
    approves — a coordinator of a cellule the holder belongs to, or a national officer; never the
    one who asked, never the holder — and only then is the link sent or the factor removed. The
    holder is told at both steps, at the account's address."""

    class Kind(models.TextChoices):
        PASSWORD = "password", "Nouveau lien pour choisir le mot de passe"
        SECOND_FACTOR = "second_factor", "Réinitialisation du second facteur (téléphone perdu)"

    class Status(models.TextChoices):
        PENDING = "pending", "En attente d'approbation"
        APPROVED = "approved", "Approuvée et exécutée"
        REFUSED = "refused", "Refusée"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recoveries",
                             verbose_name="compte")
    kind = models.CharField("demande", max_length=16, choices=Kind.choices)
    reason = models.CharField("motif", max_length=200)
    status = models.CharField("état", max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="demandée par")
    requested_at = models.DateTimeField("demandée le", default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="décidée par")
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = "demande de récupération d'un compte"
        verbose_name_plural = "demandes de récupération de comptes"
        constraints = [
            # One request of each kind waits at a time for an account: a second would be approved twice.
            models.UniqueConstraint(fields=["user", "kind"], condition=Q(status="pending"),
                                    name="one_pending_recovery_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.user}"


class AccountSession(AbstractBaseSession):
    """A session of Django's database store, extended as its documentation shows, with whose it is and
    what its owner recognises it by: a person lists their open sessions and ends any of them, and the
    changes that must end them (deactivation, a new password, a second factor changed) find them all
    (``organisation.sessions``). Filled from the session's data at each save (``organisation.session_store``).

    Pages name a session by ``digest`` (SHA-256 of its key), never by its key, which opens it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name="utilisateur")
    digest = models.CharField("empreinte de la clé", max_length=64, unique=True)
    started_at = models.DateTimeField("ouverte le", null=True, blank=True)
    seen_at = models.DateTimeField("dernière activité", null=True, blank=True)
    device = models.CharField("navigateur et système", max_length=64, blank=True)
    address = models.GenericIPAddressField("adresse", null=True, blank=True)

    class Meta(AbstractBaseSession.Meta):  # type: ignore[name-defined]  # Django's, which its stubs leave out
        verbose_name = "session"
        verbose_name_plural = "sessions"
        indexes = [models.Index(fields=["user", "expire_date"], name="organisation_session_user")]

    def __str__(self) -> str:
        return f"session {self.digest[:8]} de {self.user}"

    @classmethod
    def get_session_store_class(cls):
        from organisation.session_store import SessionStore

        return SessionStore
