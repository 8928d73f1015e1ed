"""The append-only audit trail: events, written by the requests, and their seals, that chain them."""

from typing import TYPE_CHECKING, Any, NoReturn

from django.conf import settings
from django.db import models

if TYPE_CHECKING:  # the models module imports no more than it did for the sake of types
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler


class ImmutableEvent(Exception):
    """Raised on any attempt to change or delete a recorded event or seal."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise ImmutableEvent("Le journal d'audit est en ajout seul : modification refusée.")

    def delete(self) -> NoReturn:
        raise ImmutableEvent("Le journal d'audit est en ajout seul : suppression refusée.")


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableEvent("Le journal d'audit s'écrit par audit.record(), jamais directement.")

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableEvent("Le journal d'audit est en ajout seul : suppression refusée.")


class TransactionId(models.Func):
    """The id of the inserting transaction on PostgreSQL (``pg_current_xact_id()``); none elsewhere."""

    output_field = models.BigIntegerField()

    # Func's signature: Django may pass ``function``, ``template`` or ``arg_joiner``; neither SQL uses them.
    def as_sql(self, compiler: "SQLCompiler", connection: "BaseDatabaseWrapper", function: str | None = None,
               template: str | None = None, arg_joiner: str | None = None,
               **extra_context: Any) -> tuple[str, list[str | int]]:
        return "NULL", []

    def as_postgresql(self, compiler: "SQLCompiler", connection: "BaseDatabaseWrapper",
                      **extra_context: Any) -> tuple[str, list[str | int]]:
        return "(pg_current_xact_id()::text::bigint)", []


class Event(AppendOnly):
    """One thing that happened: who, when, from where, what, on which object, in which département.

    Its digest is computed from the row as the database gives it back (``audit.chain``). ``txid``
    is the transaction that inserted the event: the sealer (``audit.sealer``) chains events in the
    order of their transactions, once they have ended. PostgreSQL triggers reject UPDATE, DELETE and
    TRUNCATE.
    """

    time = models.DateTimeField("date et heure")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="auteur", db_index=False,
    )
    actor_label = models.CharField("auteur (libellé)", max_length=150, blank=True)
    actor_role = models.CharField("rôle de l'auteur", max_length=16, blank=True)
    actor_cell = models.CharField("cellule de l'auteur", max_length=3, blank=True)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    request_id = models.CharField("identifiant de requête", max_length=32, blank=True)
    action = models.CharField("action", max_length=64)
    object_type = models.CharField("type d'objet", max_length=64, blank=True)
    object_id = models.CharField("identifiant d'objet", max_length=64, blank=True)
    departement = models.CharField("département", max_length=3, blank=True)
    details = models.JSONField("détails", default=dict, blank=True)
    txid = models.BigIntegerField("transaction", null=True, blank=True, db_default=TransactionId())

    class Meta:
        ordering = ["id"]
        verbose_name = "événement d'audit"
        verbose_name_plural = "événements d'audit"
        # Each serves a page or the sealer (plans at national size in docs/performance.md); the
        # inspection adds its own two (inspection/migrations). Every index slows every page's write.
        indexes = [
            models.Index(fields=["departement", "time"], name="audit_event_dep_time"),  # the mandate's scope
            models.Index(fields=["actor", "time"], name="audit_event_actor_time"),  # one person's activity
            models.Index(fields=["object_type", "object_id", "time"], name="audit_event_object"),  # the case page
            # The integrity page's checks, and /health/'s last checkpoint and verification.
            models.Index(fields=["action", "time"], condition=models.Q(action__in=["audit.verify", "audit.checkpoint"]),
                         name="audit_event_checks"),
            models.Index(fields=["txid", "id"], name="audit_event_txid_id"),  # the sealer: in its order, by batches
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.time:%Y-%m-%d %H:%M:%S}"


class Seal(AppendOnly):
    """An event's place in the chain: its rank and ``hash = SHA-256(previous hash, event's digest)``.

    ``horizon`` is the transaction id below which every transaction had ended when the seal was
    made (PostgreSQL): every event of those transactions is sealed at or before this one.
    """

    event = models.OneToOneField(Event, on_delete=models.PROTECT, primary_key=True, related_name="seal",
                                 verbose_name="événement")
    seq = models.BigIntegerField("rang dans la chaîne", unique=True)
    hash = models.CharField("empreinte", max_length=64)
    horizon = models.BigIntegerField("horizon des transactions", null=True, blank=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = "scellement"
        verbose_name_plural = "scellements"

    def __str__(self) -> str:
        return f"rang {self.seq} : événement #{self.event_id}"


class Tally(models.Model):
    """The failures of one minute from one source (``audit.tallies``): counted here, one row per
    minute, type, source and subject, then turned into one event of the trail once the minute is over
    and deleted. Not part of the trail: a working table, which the flush empties."""

    minute = models.DateTimeField("minute")
    action = models.CharField("type de l'événement à écrire", max_length=64)
    source = models.CharField("adresse d'origine", max_length=45, blank=True)  # canonical, "" when none
    # What was aimed at: "" for none, an account ("compte:<id>"), or an unknown name ("?<keyed digest>").
    subject = models.CharField("cible", max_length=32, blank=True)
    label = models.CharField("auteur (libellé)", max_length=150, blank=True)
    object_type = models.CharField("type d'objet", max_length=64, blank=True)
    object_id = models.CharField("identifiant d'objet", max_length=64, blank=True)
    departement = models.CharField("département", max_length=3, blank=True)
    occurrences = models.PositiveIntegerField("nombre", default=1)
    first_at = models.DateTimeField("premier")
    last_at = models.DateTimeField("dernier")

    class Meta:
        verbose_name = "décompte en cours"
        verbose_name_plural = "décomptes en cours"
        constraints = [models.UniqueConstraint(fields=["minute", "action", "source", "subject"],
                                               name="audit_tally_one_row_per_minute_and_source")]

    def __str__(self) -> str:
        return f"{self.action} {self.minute:%Y-%m-%d %H:%M} {self.source or '—'} : {self.occurrences}"


class TreeNode(AppendOnly):
    """The hash of one complete subtree of the Merkle tree over the sealed events (``audit.tree``):
    leaves [index × 2^level, (index + 1) × 2^level). Written by the sealer once the subtree is
    complete, never changed: any tree size's root or proof needs O(log n) of them."""

    level = models.PositiveSmallIntegerField("niveau")
    index = models.BigIntegerField("position")
    hash = models.BinaryField("empreinte", max_length=32)

    class Meta:
        verbose_name = "nœud de l'arbre de Merkle"
        verbose_name_plural = "nœuds de l'arbre de Merkle"
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="audit_treenode_one_per_place")]

    def __str__(self) -> str:
        return f"nœud {self.level}/{self.index}"


class TrailArchive(AppendOnly):
    """Events of the trail past their retention period, written off the database to a signed archive
    (``audit.archives``) then removed: ranks ``first_seq`` to ``last_seq``. PostgreSQL lets an event
    or a seal be deleted only at or below the last archive's ``last_seq`` (audit/migrations/0009)."""

    first_seq = models.BigIntegerField("premier rang")
    last_seq = models.BigIntegerField("dernier rang", unique=True)
    last_hash = models.CharField("empreinte du dernier rang", max_length=64)
    sha256 = models.CharField("empreinte SHA-256 de l'archive", max_length=64)
    name = models.CharField("fichier", max_length=200)
    archived_at = models.DateTimeField("archivé le")

    class Meta:
        ordering = ["last_seq"]
        verbose_name = "archive du journal d'audit"
        verbose_name_plural = "archives du journal d'audit"

    def __str__(self) -> str:
        return f"archive des rangs {self.first_seq} à {self.last_seq}"

    @classmethod
    def boundary(cls) -> tuple[int, str]:
        """The rank and chain hash of the last archived event: the kept trail links on from there
        (``(0, genesis)`` while nothing is archived)."""
        last = cls.objects.order_by("-last_seq").values_list("last_seq", "last_hash").first()
        return last or (0, "0" * 64)
