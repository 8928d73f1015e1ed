"""What the intake of signalements by machine keeps: the sources' service accounts (their tokens as
digests only), each signalement an account sent (for its status and for replaying a retried call),
the counters of the rate limit, and the spreadsheet previews already imported."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.models import Case, Source, State
from organisation.models import Departement


class ServiceAccountQuerySet(models.QuerySet):
    def usable(self, at=None):
        """Accounts whose token may be used now: not revoked, not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=at or timezone.now())


class ServiceAccount(models.Model):
    """A trusted source's account (the CNAPR's platform, a préfecture's EMS tool) for one département.

    It is no person and no Django user: nobody signs in with it. It authenticates API calls by a
    bearer token ``cds_<key_id>_<secret>``, shown once at its creation; only the SHA-256 of the
    secret is kept (the secret is 256 random bits, so a plain hash is enough: no dictionary to try).
    The trail names it by ``name`` (``api:…``, a form no username can take)."""

    name = models.CharField("nom", max_length=64, unique=True)
    source = models.CharField("origine", max_length=8, choices=Source.choices)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="département")
    key_id = models.CharField("identifiant de la clé", max_length=16, unique=True)
    digest = models.CharField("empreinte du jeton", max_length=64)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    created_by = models.CharField("créé par", max_length=150)
    expires_at = models.DateTimeField("expire le")
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    revoked_by = models.CharField("révoqué par", max_length=150, blank=True)

    objects = ServiceAccountQuerySet.as_manager()

    class Meta:
        ordering = ["departement__code", "name"]
        verbose_name = "compte de service"
        verbose_name_plural = "comptes de service"

    def __str__(self) -> str:
        return self.name

    # Whom the policy is asked about (``organisation.policy.Principal``): an account is no signed-in user;
    # the trail records it by its name (``audit.acting(label=...)``).
    is_authenticated = False

    @property
    def usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


# What a source reads of a signalement it sent: held by the cellule, or its follow-up closed; never
# the follow-up's steps, nor whether it went on the file of a young person already followed (another
# source's, maybe): that link is the cellule's to know. (No docstring: the API's schema would show it.)
class SignalementState(models.TextChoices):
    RECEIVED = "received", "Reçu par la cellule"
    CLOSED = "closed", "Suivi clôturé par la cellule"


class Submission(models.Model):
    """A signalement a source sent: the case it made (or found), and the first answer, given again to
    a retried call. Its unique constraints make two concurrent sends of the same one make one case:
    the second waits for the first's commit, fails on the constraint and replays the first's answer."""

    account = models.ForeignKey(ServiceAccount, on_delete=models.PROTECT, related_name="submissions",
                                verbose_name="compte de service")
    # The account's source and département, copied: an account that replaces a revoked one of the
    # same source finds the signalements sent before it.
    source = models.CharField("origine", max_length=8, choices=Source.choices)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="département")
    source_reference = models.CharField("référence à la source", max_length=64)
    idempotency_key = models.CharField("clé d'idempotence", max_length=128, blank=True)
    payload_digest = models.CharField("empreinte de la requête", max_length=64)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="signalement")
    status_code = models.PositiveSmallIntegerField("code de la réponse", null=True)
    response = models.JSONField("réponse", null=True)
    created_at = models.DateTimeField("reçu le", auto_now_add=True)

    class Meta:
        verbose_name = "signalement reçu par l'API"
        verbose_name_plural = "signalements reçus par l'API"
        constraints = [
            models.UniqueConstraint(fields=["departement", "source", "source_reference"],
                                    name="submission_source_reference"),
            models.UniqueConstraint(fields=["account", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="submission_idempotency_key"),
        ]

    def __str__(self) -> str:
        return f"{self.account} : {self.source_reference}"

    @property
    def state(self) -> SignalementState:
        closed = self.case is not None and self.case.state == State.CLOSED
        return SignalementState.CLOSED if closed else SignalementState.RECEIVED


class RateWindow(models.Model):
    """The calls of one account in one minute: a row shared by every process of the server (a
    per-process cache would multiply the limit by the number of gunicorn workers)."""

    account = models.ForeignKey(ServiceAccount, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "starts_at"], name="rate_window_unique")]

    def __str__(self) -> str:
        return f"{self.account} {self.starts_at:%H:%M} : {self.calls}"


class ConfirmedPreview(models.Model):
    """A spreadsheet's dry run that was imported. The preview travels signed in the confirmation
    form (nothing is stored before), so a replayed or double-clicked confirmation would import its
    rows again: its id is unique here, inserted first in the import's transaction, so the second
    confirmation waits for the first's commit and fails on the constraint (or goes on if the first
    rolled back)."""

    preview = models.CharField("aperçu", max_length=32, unique=True)
    imported_at = models.DateTimeField("importé le", auto_now_add=True)

    class Meta:
        verbose_name = "aperçu importé"
        verbose_name_plural = "aperçus importés"

    def __str__(self) -> str:
        return self.preview
