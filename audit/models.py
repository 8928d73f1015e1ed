"""The append-only audit trail."""

from django.conf import settings
from django.db import models


class ImmutableEvent(Exception):
    """Raised on any attempt to change or delete a recorded event."""


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableEvent("Le journal d'audit est en ajout seul : modification refusée.")

    def delete(self):
        raise ImmutableEvent("Le journal d'audit est en ajout seul : suppression refusée.")


class Event(models.Model):
    """One thing that happened: who, when, from where, what, on which object, in which département.

    ``seq`` and ``hash`` chain the events: ``hash`` is the SHA-256 of the previous event's hash and
    of this event's canonical serialisation (``audit.chain``). Events are only ever inserted by
    ``audit.recorder``; PostgreSQL triggers reject UPDATE, DELETE and TRUNCATE on this table.
    """

    seq = models.BigIntegerField("rang dans la chaîne", unique=True)
    time = models.DateTimeField("date et heure", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="auteur",
    )
    actor_label = models.CharField("auteur (libellé)", max_length=150, blank=True)
    actor_role = models.CharField("rôle de l'auteur", max_length=16, blank=True)
    actor_cell = models.CharField("cellule de l'auteur", max_length=3, blank=True)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    request_id = models.CharField("identifiant de requête", max_length=32, blank=True, db_index=True)
    action = models.CharField("action", max_length=64, db_index=True)
    object_type = models.CharField("type d'objet", max_length=64, blank=True)
    object_id = models.CharField("identifiant d'objet", max_length=64, blank=True)
    departement = models.CharField("département", max_length=3, blank=True)
    details = models.JSONField("détails", default=dict, blank=True)
    hash = models.CharField("empreinte", max_length=64)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = "événement d'audit"
        verbose_name_plural = "événements d'audit"
        indexes = [
            models.Index(fields=["departement", "time"], name="audit_event_dep_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_event_object"),
            models.Index(fields=["actor", "time"], name="audit_event_actor_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.time:%Y-%m-%d %H:%M:%S}"

    def save(self, *args, **kwargs):
        raise ImmutableEvent("Les événements s'enregistrent par audit.record(), jamais directement.")

    def delete(self, *args, **kwargs):
        raise ImmutableEvent("Le journal d'audit est en ajout seul : suppression refusée.")
