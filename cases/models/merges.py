"""Two records of one young person made one, on a coordinator's decision (``cases.actions.merges``): the
duplicate detection (``cases.matching``) proposes the records it finds certain, never merges them itself.
The merged record stays, marked (``Person.merged_into``), so that the merge can be undone while no new
case rests on it; a pair judged two different people is not proposed again."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef

from cases.models.case import Case


class PersonMergeQuerySet(models.QuerySet):
    def with_newer_cases(self) -> "PersonMergeQuerySet":
        """Each merge with ``newer_cases``: whether a case was opened on the kept record since (``newer_cases``)."""
        return self.annotate(newer_cases=Exists(Case.objects.filter(person=OuterRef("kept"),
                                                                    created_at__gt=OuterRef("merged_at"))))


class PersonMerge(models.Model):
    """``merged``'s cases moved to ``kept`` (their ids in ``cases``, to move them back on an undo)."""

    kept = models.ForeignKey("cases.Person", on_delete=models.PROTECT, related_name="merges_kept",
                             verbose_name="fiche conservée")
    merged = models.ForeignKey("cases.Person", on_delete=models.PROTECT, related_name="merges",
                               verbose_name="fiche fusionnée")
    cases = models.JSONField("signalements déplacés", default=list)
    # The relatives of the merged record's family moved to the kept record's (``move_belongings``).
    relatives = models.JSONField("proches déplacés", default=list)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="fusionnée par")
    merged_at = models.DateTimeField("fusionnée le")
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name="annulée par")
    undone_at = models.DateTimeField("annulée le", null=True, blank=True)

    objects = PersonMergeQuerySet.as_manager()

    class Meta:
        ordering = ["-merged_at", "-pk"]
        verbose_name = "fusion de fiches"
        verbose_name_plural = "fusions de fiches"
        # A record is merged into one other at a time: undone, it may be merged again.
        constraints = [models.UniqueConstraint(fields=["merged"], condition=models.Q(undone_at__isnull=True),
                                               name="one_open_merge_per_person")]

    def __str__(self) -> str:
        return f"Fiche n° {self.merged_id} fusionnée dans la fiche n° {self.kept_id}"

    def newer_cases(self) -> "models.QuerySet[Case]":
        """The cases opened on the kept record since the merge: they rest on it, it cannot be undone."""
        return Case.objects.filter(person_id=self.kept_id, created_at__gt=self.merged_at)


class DistinctPeople(models.Model):
    """Two records the detection found certain duplicates, judged two different young people by a
    coordinator: not proposed again. ``first`` is the record of the lower id."""

    first = models.ForeignKey("cases.Person", on_delete=models.PROTECT, related_name="+", verbose_name="fiche")
    second = models.ForeignKey("cases.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name="autre fiche")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="écartée par")
    decided_at = models.DateTimeField("écartée le")

    class Meta:
        verbose_name = "doublon écarté"
        verbose_name_plural = "doublons écartés"
        constraints = [models.UniqueConstraint(fields=["first", "second"], name="distinct_people_once"),
                       models.CheckConstraint(condition=models.Q(first__lt=models.F("second")),
                                              name="distinct_people_ordered")]

    def __str__(self) -> str:
        return f"Fiches n° {self.first_id} et n° {self.second_id} : deux jeunes différents"
