"""Who sees the alerts on unusual reading, who examines them and sets the cellule's threshold: the
coordinators of the account's cellule; the inspection, read only, where a mandate covers its
département and the alert's day. Nobody else, not even the technical administration."""

import enum

from django.db.models import Q

from organisation.models import Cell
from organisation.policy import Principal, rule, scope
from vigilance.models import ReadingAlert, ReadingAlertQuerySet


class VigilanceRight(enum.StrEnum):
    VIEW_ALERTS = "view_reading_alerts"  # the list (no target), or one alert
    EXAMINE_ALERT = "examine_reading_alert"  # on an alert
    SET_THRESHOLD = "set_reading_threshold"  # on a cellule
    RAISE_ALERT = "raise_reading_alert"  # the detector's, run by the system only


def alerts_visible_to(user: Principal) -> ReadingAlertQuerySet:
    """The alerts of the cellules the user coordinates, and of the départements and periods their
    mandates review."""
    s = scope(user)
    allowed = Q(cell_id__in=s.coordinated_cell_ids)
    for mandate in s.mandates:
        allowed |= Q(cell__departement__in=list(mandate.departements.all()),
                     day__range=(mandate.reviews_from, mandate.reviews_until))
    if not s.coordinated_cell_ids and not s.mandates:
        return ReadingAlert.objects.none()
    return ReadingAlert.objects.filter(allowed)


@rule(VigilanceRight.VIEW_ALERTS)
def _views(user: Principal, right: str, alert: object) -> bool:
    s = scope(user)
    if alert is None:
        return bool(s.coordinated_cell_ids or s.mandates)
    return isinstance(alert, ReadingAlert) and alerts_visible_to(user).filter(pk=alert.pk).exists()


@rule(VigilanceRight.EXAMINE_ALERT)
def _examines(user: Principal, right: str, alert: object) -> bool:
    return isinstance(alert, ReadingAlert) and alert.cell_id in scope(user).coordinated_cell_ids


@rule(VigilanceRight.SET_THRESHOLD)
def _sets(user: Principal, right: str, cell: object) -> bool:
    return isinstance(cell, Cell) and cell.pk in scope(user).coordinated_cell_ids


@rule(VigilanceRight.RAISE_ALERT)
def _raises(user: Principal, right: str, target: object) -> bool:
    return False  # the detector runs as the system (``policy.SYSTEM``), which every rule lets by
