"""When each person last opened each case's page: what changed since is marked on the case list and page."""

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from cases.models.case import Case


class CaseVisit(models.Model):
    """One row per person and case, moved forward at each visit of the case's page (the read itself is
    in the trail, ``case.view``; this row only remembers when, for the mark)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name="personne", db_index=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits", verbose_name="signalement")
    seen_at = models.DateTimeField("dernière visite", default=timezone.now)

    class Meta:
        verbose_name = "dernière visite d'un signalement"
        constraints = [models.UniqueConstraint(fields=["user", "case"], name="casevisit_user_case")]

    def __str__(self) -> str:
        return f"{self.case} — {timezone.localtime(self.seen_at):%d/%m/%Y %H:%M}"


def with_changes(cases: QuerySet[Case], user: User) -> QuerySet[Case]:
    """Each case with ``changed_since_visit``: the user opened it before and it changed since (one
    subquery of the list's own query, by the unique index)."""
    changed = CaseVisit.objects.filter(case=OuterRef("pk"), user_id=user.pk, seen_at__lt=OuterRef("changed_at"))
    return cases.annotate(changed_since_visit=Exists(changed))


def last_visit(user: User) -> Subquery:
    """When ``user`` last opened the outer case's page, for the page's own query to carry (``visit``)."""
    return Subquery(CaseVisit.objects.filter(case=OuterRef("pk"), user_id=user.pk).values("seen_at")[:1])


def visit(user: User, case: Case) -> bool:
    """Remember that ``user`` opens the case's page now; whether it changed since their last visit (read
    with the case where its query carries ``last_visit``)."""
    now = timezone.now()
    if "last_visit" in case.__dict__:
        previous = case.__dict__["last_visit"]
    else:
        previous = CaseVisit.objects.filter(user_id=user.pk, case=case).values_list("seen_at", flat=True).first()
    if previous is None:
        # Two tabs opening the case at once: the second row is not written, nothing fails.
        CaseVisit.objects.bulk_create([CaseVisit(user_id=user.pk, case=case, seen_at=now)], ignore_conflicts=True)
        return False
    CaseVisit.objects.filter(user_id=user.pk, case=case).update(seen_at=now)
    return case.changed_at is not None and case.changed_at > previous
