"""The demo's FIPD action: the 93's coordinator proposed a support programme for the families two months
ago, the FIPD granted less than asked a month later, and it is under way (issue 29, point 2)."""

import datetime

from demo.cases import DemoCases
from funding import actions as funding
from funding.models import FundedAction
from organisation.models import Institution


def create_demo_funding() -> None:
    """Once: the 93's action, through its entry points, on the days it was decided."""
    demo = DemoCases("93")
    if FundedAction.objects.filter(cell=demo.cell).exists():
        return
    association = Institution.objects.get(name="Association Sauvegarde 93")
    with demo.on(demo.today - datetime.timedelta(days=61), hour=11):
        action = funding.create_funded_action(
            demo.coordinator, demo.cell, title="Accompagnement des familles et groupe de parole des parents",
            description="Entretiens individuels des parents, groupe de parole mensuel animé par une psychologue, "
                        "sessions de formation des professionnels du département.",
            institution=association, operator_name="", year=demo.today.year, amount_requested=18_000,
            amount_granted=None, young_people=12, families=9, status=FundedAction.Status.PROPOSED)
    with demo.on(demo.today - datetime.timedelta(days=30), hour=15):
        funding.update_funded_action(demo.coordinator, action, status=FundedAction.Status.UNDER_WAY,
                                     amount_granted=15_000)
