"""The demo's retention: in the Seine-Saint-Denis, a case closed as unfounded fourteen months ago,
past its one-year period (``manage.py purge_expired --dry-run`` lists it), and another, older still,
kept by a legal hold (its case page shows the hold and the action that lifts it)."""

import datetime
import zoneinfo

import time_machine
from django.utils import timezone

from cases import actions
from organisation.models import Cell, Role
from retention.actions import place_hold

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _on(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10, 30), tzinfo=PARIS), tick=True)


def _unfounded(coordinator, cell, day: datetime.date, person: dict, facts: str):
    with _on(day):
        case = actions.intake(coordinator, cell, source="cnapr", received_on=day, facts=facts, person=person)
    with _on(day + datetime.timedelta(days=6)):
        actions.close(coordinator, case, reason="unfounded", note="Hors du champ de la prévention.")
    return case


def create_demo_retention() -> None:
    cell = Cell.objects.select_related("departement").get(departement__code="93")
    coordinator = cell.memberships.active().filter(role=Role.COORDINATOR).first().user
    today = timezone.localdate()
    # In the order received: the numbers follow the dates.
    held = _unfounded(coordinator, cell, today - datetime.timedelta(days=560),
                      {"last_name": "Roux", "first_name": "Jade", "birth_date": today - datetime.timedelta(days=6000),
                       "sex": "f", "commune": "Bondy"},
                      "Message anonyme au numéro vert, non recoupé.")
    _unfounded(coordinator, cell, today - datetime.timedelta(days=430),
               {"last_name": "Morel", "first_name": "Enzo", "birth_date": today - datetime.timedelta(days=6300),
                "sex": "m", "commune": "Pantin"},
               "Signalement d'un voisin : tenue vestimentaire jugée inquiétante, sans autre élément.")
    with _on(today - datetime.timedelta(days=20)):
        place_hold(coordinator, held, reason="Réquisition du parquet de Bobigny reçue le "
                                             f"{today - datetime.timedelta(days=21):%d/%m/%Y}.")
