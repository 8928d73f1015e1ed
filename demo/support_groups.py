"""The demo's support groups "soit par l'intermédiaire d'associations existantes, soit directement avec votre
soutien" (note of 19 February 2015): in the 93, a group the préfecture runs itself, whose session of today
gathered a family the cellule follows and parents it does not (counted, never named). The association's group
(``demo.cellule_life``) has its facilitator, a member of the cellule from the association, who sees it."""

import datetime

from cases.models import Case, State
from cellule import actions as cellule
from cellule.models import SupportGroup
from demo.cases import DemoCases
from demo.cellule_life import working_day


def create_demo_support_groups() -> None:
    demo = DemoCases("93")
    if SupportGroup.objects.filter(cell=demo.cell, run_by=SupportGroup.RunBy.PREFECTURE).exists():
        return  # seeded before
    # The session is today's: last month's report is sent already (``demo.cellule_life``), and stays true.
    created = working_day(demo.today - datetime.timedelta(days=28), step=-1)
    in_care = (Case.objects.filter(departement=demo.cell.departement, state=State.IN_CARE,
                                   received_on__lt=created)
               .exclude(transfer_requests__status="pending").order_by("number"))
    with demo.on(created, hour=11):
        group = cellule.create_support_group(
            demo.coordinator, demo.cell, name="Groupe de parole de la préfecture", run_by=SupportGroup.RunBy.PREFECTURE,
            facilitator=demo.cell.memberships.active().get(user=demo.coordinator))
    cellule.record_support_session(demo.coordinator, group, on=demo.today, families=list(in_care[:1]),
                                   other_parents=4)
