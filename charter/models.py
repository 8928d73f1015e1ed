"""The charter of shared confidentiality (secret partagé): its versions, and who accepted which.

A version is never changed once published: a new text is a new version (``charter.actions.publish_version``),
and everyone who reads names accepts it again. The current version is the latest.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef


class VersionQuerySet(models.QuerySet):
    def current(self) -> "Version | None":
        return self.order_by("-number").first()


class Version(models.Model):
    number = models.PositiveIntegerField("version", unique=True)
    published_on = models.DateField("publiée le")
    text = models.TextField("texte")

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = "version de la charte"
        verbose_name_plural = "versions de la charte"

    def __str__(self) -> str:
        return f"Charte de confidentialité, version {self.number} du {self.published_on:%d/%m/%Y}"

    def blocks(self) -> list[tuple[bool, str]]:
        """The text as the page shows it: its paragraphs (separated by a blank line), each a heading
        (``True``) when it starts with « ## », the way it is written in plain text."""
        paragraphs = (p.strip() for p in self.text.replace("\r\n", "\n").split("\n\n"))
        return [(p.startswith("## "), p.removeprefix("## ")) for p in paragraphs if p]


class Acceptance(models.Model):
    """One person's acceptance of one version: who, which, when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="charter_acceptances",
                             verbose_name="personne")
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="acceptances",
                                verbose_name="version")
    accepted_at = models.DateTimeField("acceptée le")

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = "acceptation de la charte"
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="charter_accepted_once")]

    def __str__(self) -> str:
        return f"{self.user} — version {self.version.number}"


def pending(user_id: int | None) -> Version | None:
    """The current version if the user has not accepted it yet, else None (and None while no version
    exists, or for no user): one query."""
    if user_id is None:
        return None
    accepted = Acceptance.objects.filter(user_id=user_id, version=OuterRef("pk"))
    current = Version.objects.defer("text").order_by("-number").annotate(accepted=Exists(accepted)).first()
    return current if current is not None and not current.accepted else None
