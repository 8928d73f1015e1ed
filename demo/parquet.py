"""The demo's cellule "en lien avec le Procureur": the 93's coordinator informed the procureur, last month, of a
case in care whose young person is also known to the justice system; last month's report counts it (it is
sent afterwards: ``demo.cellule_life``)."""

import datetime

from cases import actions
from cases.models import Case, ProsecutorInformation, State
from demo.cases import DemoCases
from reporting.figures import Month


def create_demo_parquet() -> None:
    if ProsecutorInformation.objects.filter(case__departement__code="93").exists():
        return
    demo = DemoCases("93")
    month = Month.of(demo.today).previous()
    case = Case.objects.filter(departement__code="93", state=State.IN_CARE, received_on__lt=month.last).order_by(
        "received_on").first()
    if case is None:
        return
    day = demo.later(max(case.received_on, month.first), 3, 8)
    while (day > month.last or day.weekday() >= 5) and day > case.received_on:  # last month, a working day
        day -= datetime.timedelta(days=1)
    with demo.on(day, hour=11):
        actions.inform_prosecutor(
            demo.coordinator, case, on=day, means=ProsecutorInformation.Means.EMAIL,
            shared="Situation suivie par la cellule depuis le signalement ; le jeune fait l'objet d'une mesure "
                   "éducative judiciaire. Le parquet souhaite être tenu informé de la fin de l'accompagnement.")
