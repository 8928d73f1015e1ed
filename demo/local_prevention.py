"""The demo's local prevention: the CLSPD of Bobigny, which the 93's cellule works with; a young person of
the 93 in care oriented to it (on the family's adhesion) a week ago; the coordinator's exchange with it; and an
institution the coordinator proposed, the Parquet de Bobigny, waiting for the technical administrator."""

import datetime

from django.utils import timezone

from cases import actions
from cases.models import CareMeasure, Case, State
from cellule import actions as cellule
from cellule.models import Exchange
from demo.cases import DemoCases
from organisation import actions as organisation
from organisation.models import Institution, InstitutionProposal
from organisation.policy import SYSTEM

CLSPD = "CLSPD de Bobigny"
PARQUET = "Parquet de Bobigny"


def create_demo_local_prevention() -> None:
    """Each part once: a second seeding finds them and adds nothing."""
    demo = DemoCases("93")
    clspd = Institution.objects.filter(name=CLSPD).first() or organisation.save_reference(SYSTEM, Institution(
        name=CLSPD, category=Institution.Category.LOCAL_PREVENTION, prevention_kind=Institution.PreventionKind.CLSPD,
        territory="Bobigny", contact_name="Coordination du CLSPD (mairie de Bobigny)",
        contact_email="clspd@bobigny.demo.invalid", contact_phone="01 41 60 93 00", departement=demo.cell.departement))
    week_ago = timezone.localdate() - datetime.timedelta(days=7)
    if not CareMeasure.objects.filter(institution=clspd).exists():
        case = (Case.objects.filter(departement=demo.cell.departement, state=State.IN_CARE, received_on__lt=week_ago)
                .exclude(consents__party="family", consents__status__in=["refused", "withdrawn"])
                .select_related("referent").order_by("received_on").first())
        if case is not None:
            with demo.on(week_ago, hour=11):
                actions.add_care_measure(case.referent, case, modality="educational", beneficiary="young_person",
                                         institution=clspd, starts_on=week_ago, adhesion="family")
    if not Exchange.objects.filter(institution=clspd).exists():
        day = week_ago + datetime.timedelta(days=2)
        with demo.on(day, hour=15):
            cellule.record_exchange(demo.coordinator, demo.cell, clspd, on=day, subject="Séance plénière du CLSPD",
                                    summary="Présentation de l'action de la cellule ; le CLSPD signalera les "
                                            "actions de prévention de la ville ouvertes aux jeunes suivis.")
    if not InstitutionProposal.objects.filter(name=PARQUET).exists() and not Institution.objects.filter(
            name=PARQUET).exists():
        organisation.propose_institution(demo.coordinator, demo.cell, InstitutionProposal(
            name=PARQUET, category=Institution.Category.JUSTICE, contact_name="Substitut chargé de la prévention",
            motive="La cellule travaille « en lien avec le Procureur » : aucun de ses membres ne représente le "
                   "parquet."))
