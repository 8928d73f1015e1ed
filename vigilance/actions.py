"""Entry points of the vigilance on reading: raising an alert (the detector, as the system), examining
one, setting the cellule's floor. Each checks the policy, validates, writes and records its audit event
in one transaction."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from organisation import policy
from organisation.errors import ActionRefused
from organisation.models import Cell
from organisation.policy import Actor
from vigilance import detector
from vigilance.models import ReadingAlert
from vigilance.rules import VigilanceRight

COMMENT_MAX = 2000


def raise_alert(actor: Actor, cell: Cell, finding: detector.Finding) -> ReadingAlert | None:
    """Store the finding as the account's alert of that day and record it with the events behind it;
    None when that day already has its alert (the detector may run again)."""
    policy.require(actor, VigilanceRight.RAISE_ALERT)
    with transaction.atomic():
        alert, created = ReadingAlert.objects.get_or_create(
            account_id=finding.account_id, day=finding.day,
            defaults={"cell": cell, "role": finding.role, "reached": finding.reached,
                      "own_limit": round(finding.own_limit, 2), "peer_limit": round(finding.peer_limit, 2),
                      "floor": cell.reading_alert_floor, "event_ids": finding.event_ids,
                      "raised_at": timezone.now()})
        if not created:
            return None
        audit.record("reading_alert.raise", obj=alert, departement=cell.departement.code, actor=actor, details={
            "compte": alert.account.get_username(), "jour": finding.day.isoformat(), "atteints": finding.reached,
            "seuil": alert.floor, "événements": finding.event_ids})
    return alert


def detect(actor: Actor, day: datetime.date) -> list[ReadingAlert]:
    """Examine every cellule's accounts on ``day``; the alerts raised now."""
    raised = []
    for cell in Cell.objects.select_related("departement"):
        for finding in detector.examine(cell, day):
            if (alert := raise_alert(actor, cell, finding)) is not None:
                raised.append(alert)
    return raised


def examine_alert(actor: User, alert: ReadingAlert, comment: str) -> ReadingAlert:
    """A coordinator of the account's cellule marks the alert examined, saying what they found."""
    policy.require(actor, VigilanceRight.EXAMINE_ALERT, alert)
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": "Indiquez ce que l'examen a montré."})
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": f"Le commentaire dépasse {COMMENT_MAX} caractères."})
    with transaction.atomic():
        alert = ReadingAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.examined_at is not None:
            raise ActionRefused("Cette alerte a déjà été examinée.")
        alert.examined_at, alert.examined_by, alert.comment = timezone.now(), actor, comment
        alert.save(update_fields=["examined_at", "examined_by", "comment"])
        audit.record("reading_alert.examine", obj=alert, departement=alert.cell.departement.code, actor=actor,
                     details={"compte": alert.account.get_username(), "jour": alert.day.isoformat()})
    return alert


def set_floor(actor: User, cell: Cell, floor: int) -> Cell:
    """A coordinator sets their cellule's floor of the alerts (``Cell.reading_alert_floor``)."""
    policy.require(actor, VigilanceRight.SET_THRESHOLD, cell)
    field = Cell._meta.get_field("reading_alert_floor")
    try:
        field.run_validators(floor)
    except ValidationError as error:
        raise ValidationError({"floor": "Le seuil va de 2 à 200 signalements par jour."}) from error
    with transaction.atomic():
        cell = Cell.objects.select_for_update().select_related("departement").get(pk=cell.pk)
        before = cell.reading_alert_floor
        if before == floor:
            return cell
        cell.reading_alert_floor = floor
        cell.save(update_fields=["reading_alert_floor"])
        audit.record("reading_alert.floor", obj=cell, departement=cell.departement.code, actor=actor,
                     details={"avant": before, "après": floor})
    return cell
