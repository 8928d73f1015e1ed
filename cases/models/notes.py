"""Notes written on a case, each shown to the people its visibility names, and their attachments."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cases.models.case import Case


class Visibility(models.TextChoices):
    CELLULE = "cellule", "Toute la cellule (qui peut ouvrir le signalement)"
    REFERENT = "referent", "Le référent et les coordonnateurs"
    NAMED = "named", "Le référent, les coordonnateurs et les membres désignés"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes", verbose_name="signalement")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name="auteur")
    written_at = models.DateTimeField("écrite le", default=timezone.now)
    text = models.TextField("note", max_length=2000)
    visibility = models.CharField("visible par", max_length=16, choices=Visibility.choices)
    named = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                   verbose_name="membres désignés")
    history = HistoricalRecords()

    class Meta:
        ordering = ["written_at", "pk"]
        verbose_name = "note"

    def __str__(self) -> str:
        return f"Note du {timezone.localtime(self.written_at):%d/%m/%Y %H:%M}"


class StoredFile(models.Model):
    """A file joined to a record. The file lies in the attachments' storage (``cases.attachments``)
    under ``stored_name``, a random name: the name the user gave is kept here only, cleaned, to be
    offered on download."""

    original_name = models.CharField("nom du fichier", max_length=120)
    content_type = models.CharField("type", max_length=100)
    size = models.PositiveIntegerField("taille (octets)")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    stored_name = models.CharField("nom de stockage", max_length=64, unique=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["pk"]
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"

    def __str__(self) -> str:
        return self.original_name


class NoteAttachment(StoredFile):
    """A file joined to a note."""

    note = models.ForeignKey(CaseNote, on_delete=models.PROTECT, related_name="attachments", verbose_name="note")
    history = HistoricalRecords()

    class Meta(StoredFile.Meta):
        pass
