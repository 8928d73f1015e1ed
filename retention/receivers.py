"""Retention's receivers: an erased case refuses its reopening (``cases.signals.case_reopening``);
on PostgreSQL, the histories' protection is installed after each migrate."""

from typing import Any

from django.db.models.signals import post_migrate
from django.utils import timezone

from cases.models import Case
from cases.signals import case_reopening
from organisation.errors import ActionRefused
from organisation.policy import Actor
from retention import history
from retention.models import Erasure


def refuse_reopening(sender: object, actor: Actor, case: Case, **kwargs: Any) -> None:
    """An erased case stays closed (``cases.signals.case_reopening``): its personal data are gone and
    the purge would never come back to it; a new signalement is registered as such."""
    erasure = Erasure.objects.filter(case=case).first()
    if erasure is not None:
        raise ActionRefused(f"Les données personnelles du signalement {case.reference} ont été effacées le "
                            f"{timezone.localtime(erasure.erased_at):%d/%m/%Y} au terme de sa durée de conservation : "
                            "il ne se rouvre pas. Enregistrez un nouveau signalement.")


case_reopening.connect(refuse_reopening, dispatch_uid="retention.refuse_reopening")
post_migrate.connect(history.after_migrate, dispatch_uid="retention.protect_histories")
