"""The cellules of the national data set (``demo.national``): one in every département, with a
coordinator and members, made through the organisation's entry points; the existing ones (the
demo's) are taken as they are."""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction

from cases.models import Sex
from demo.names import FIRST_NAMES, STAFF_LAST_NAMES
from organisation import actions as organisation
from organisation.departements import DEPARTEMENTS
from organisation.models import Cell, Departement, Institution, Membership, Role
from organisation.policy import SYSTEM

MEMBERS_PER_CELL = 4  # and one coordinator; the first two members contact families


@dataclass
class Cellule:
    departement: Departement
    coordinator: User
    members: list[User]
    institutions: list[Institution]
    numbers: dict[int, int] = field(default_factory=dict)  # the last case number given, per year
    families: list[tuple[int, str]] = field(default_factory=list)  # (id, surname): a brother may join one


def cellules() -> list[Cellule]:
    """A cellule with a coordinator and members in every département that has none, through the
    organisation's entry points; the existing ones (the demo's) are used as they are."""
    found = []
    with transaction.atomic():
        for code, name in DEPARTEMENTS:
            departement = Departement.objects.get(code=code)
            cell = Cell.objects.filter(departement=departement).first() or _new_cell(departement, name)
            members = [m for m in cell.memberships.active().select_related("user") if m.role in Role.cell_roles()]
            coordinator = next(m.user for m in members if m.role == Role.COORDINATOR)
            workers = [m.user for m in members if m.role == Role.MEMBER] or [coordinator]
            contacts = [m.user for m in members if m.contacts_families]
            institutions = (list(Institution.objects.filter(departement=departement))
                            or list(Institution.objects.serving(departement.pk)))
            found.append(Cellule(departement, coordinator, contacts + [w for w in workers if w not in contacts],
                                 institutions))
    return found


def _new_cell(departement: Departement, name: str) -> Cell:
    code = departement.code.lower()
    cell = organisation.save_reference(SYSTEM, Cell(departement=departement, chair_function=Cell.ChairFunction.PREFET,
                                                     meeting_periodicity="monthly",
                                                     installed_on=datetime.date(2015, 4, 1)))
    prefecture = organisation.save_reference(SYSTEM, Institution(
        name=f"Préfecture — {name} ({departement.code})", category=Institution.Category.STATE, departement=departement))
    association = organisation.save_reference(SYSTEM, Institution(
        name=f"Association de prévention — {name} ({departement.code})", category=Institution.Category.ASSOCIATION,
        departement=departement))
    people = [(f"coord{code}", Role.COORDINATOR, prefecture, False)] + [
        (f"membre{code}.{i}", Role.MEMBER, association, i < 2) for i in range(MEMBERS_PER_CELL)]
    rng = random.Random(code)  # noqa: S311 (fictitious people)
    for username, role, institution, contacts in people:
        user = User(username=username, first_name=rng.choice(FIRST_NAMES[Sex.FEMALE]),  # fictitious, as the demo's
                    last_name=rng.choice(STAFF_LAST_NAMES), email=f"{username}@demo.invalid")
        user.set_unusable_password()
        organisation.save_membership(SYSTEM, Membership(
            user=organisation.save_reference(SYSTEM, user), cell=cell, role=role, institution=institution,
            function="Coordination" if role == Role.COORDINATOR else "Éducatrice spécialisée",
            contacts_families=contacts, starts_on=datetime.date(2015, 4, 1)))
    return cell
