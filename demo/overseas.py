"""The demo's overseas cellule: New Caledonia's (988), chaired by the haut-commissaire de la République,
with its coordinator at the haut-commissariat (``coord988``), a member of a local association and two
signalements: one just received, one whose family could not be reached, in the member's hands. Everything
goes through the entry points, on Nouméa's clock as its people's pages are (``project.middleware``)."""

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from cases import actions
from cases.models import NoContactReason, Sex, Situation, Source
from organisation import actions as organisation
from organisation.models import Cell, Departement, Institution, Membership, Role
from organisation.policy import SYSTEM

CODE = "988"
# username, first name, last name, role, institution (index in INSTITUTIONS), function
ACCOUNTS = [
    ("coord988", "Mathilde", "Gorodey", Role.COORDINATOR, 0, "Directrice de cabinet du haut-commissaire"),
    ("membre988", "Jean-Marc", "Wamytan", Role.MEMBER, 1, "Éducateur spécialisé"),
]
INSTITUTIONS = [("Haut-commissariat de la République en Nouvelle-Calédonie", Institution.Category.STATE),
                ("Association calédonienne de prévention (démonstration)", Institution.Category.ASSOCIATION)]
# days ago, last name, first name, sex, commune, facts
SIGNALEMENTS = [
    (12, "Kasarhérou", "Noah", Sex.MALE, "Dumbéa",
     "Signalé par le vice-rectorat : propos de rupture avec la famille, consultation de contenus violents."),
    (2, "Tein", "Maëlys", Sex.FEMALE, "Nouméa",
     "Appel d'un parent au numéro vert : isolement depuis deux mois, fréquentations nouvelles en ligne."),
]


def create_demo_overseas(password: str) -> None:
    """The cellule, its people and its signalements, unless the cellule exists (the demo was seeded before)."""
    territory = Departement.objects.get(code=CODE)
    if Cell.objects.filter(departement=territory).exists():
        return
    with timezone.override(territory.zone):
        cell = organisation.save_reference(SYSTEM, Cell(
            departement=territory, chair_function=Cell.ChairFunction.PREFET,
            meeting_periodicity=Cell.Periodicity.MONTHLY, installed_on=datetime.date(2016, 3, 1)))
        institutions = [organisation.save_reference(SYSTEM, Institution(name=name, category=category,
                                                                        departement=territory))
                        for name, category in INSTITUTIONS]
        people = []
        for username, first, last, role, institution, function in ACCOUNTS:
            user = User.objects.filter(username=username).first() or _user(username, first, last, password)
            organisation.save_membership(SYSTEM, Membership(
                user=user, cell=cell, role=role, institution=institutions[institution], function=function,
                contacts_families=role == Role.MEMBER, starts_on=datetime.date(2024, 1, 1)))
            people.append(user)
        coordinator, member = people
        today = timezone.localdate()
        cases = [actions.intake(
            coordinator, cell, source=Source.EMS if index else Source.CNAPR,
            received_on=today - datetime.timedelta(days=days), facts=facts,
            person={"last_name": last, "first_name": first, "sex": sex, "commune": commune,
                    "birth_date": today.replace(year=today.year - 15 - index, day=1), "situation": Situation.SCHOOL},
        ) for index, (days, last, first, sex, commune, facts) in enumerate(SIGNALEMENTS)]
        actions.assign(coordinator, cases[0], referent=member, no_contact_reason=NoContactReason.NO_DETAILS)


def _user(username: str, first: str, last: str, password: str) -> User:
    user = User(username=username, first_name=first, last_name=last, email=f"{username}@demo.invalid")
    user.set_password(password)
    return organisation.save_reference(SYSTEM, user)
