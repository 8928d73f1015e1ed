"""Demo data: two départements with their cellule, partners, and one account per role.

Idempotent: what already exists is left as it is. Everything is written through the entry points
of ``cases.organisation``, so the demo's audit trail is complete and verifies.
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

import audit
from cases.models import Case, State
from demo.cases import create_demo_cases
from demo.cellule_life import create_demo_cellule_life
from demo.charter import accept_demo_charter
from demo.funding import create_demo_funding
from demo.local_prevention import create_demo_local_prevention
from demo.overseas import create_demo_overseas
from demo.parquet import create_demo_parquet
from demo.support_groups import create_demo_support_groups
from demo.teamwork import create_demo_teamwork
from demo.vigilance import create_demo_reading_alert
from organisation import actions as organisation
from organisation.models import Cell, Departement, Institution, Mandate, Membership, Role
from organisation.policy import SYSTEM

# Demo only: this command refuses to run outside DEMO mode.
DEMO_PASSWORD = "demo-cellule-2026"  # noqa: S105

Category = Institution.Category
# name, category, département (None: a national body, which every cellule may call on)
INSTITUTIONS = [
    ("Préfecture de la Seine-Saint-Denis", Category.STATE, "93"),
    ("Préfecture du Rhône", Category.STATE, "69"),
    ("DSDEN de la Seine-Saint-Denis (Éducation nationale)", Category.STATE, "93"),
    ("Direction territoriale de la PJJ de la Seine-Saint-Denis", Category.JUSTICE, "93"),
    ("Parquet de Lyon", Category.JUSTICE, "69"),
    ("Conseil départemental de la Seine-Saint-Denis (ASE)", Category.LOCAL_AUTHORITY, "93"),
    ("Métropole de Lyon (ASE)", Category.LOCAL_AUTHORITY, "69"),
    ("Association Sauvegarde 93", Category.ASSOCIATION, "93"),
    ("Association Entr'aide Rhône", Category.ASSOCIATION, "69"),
    ("Équipe mobile d'intervention (prestataire national)", Category.NATIONAL_PROVIDER, None),
    ("Inspection générale de l'administration", Category.STATE, None),
    ("CIPDR — Secrétariat général", Category.STATE, None),
    ("Ministère de l'Intérieur — DNUM", Category.STATE, None),
]

CELLS = [
    ("93", Cell.ChairFunction.DIRECTEUR_CABINET, Cell.Periodicity.MONTHLY, datetime.date(2014, 11, 3)),
    ("69", Cell.ChairFunction.PREFET, Cell.Periodicity.FORTNIGHTLY, datetime.date(2015, 1, 12)),
]

# username, first name, last name (from demo.names.STAFF_LAST_NAMES), role, département of the cellule,
# institution, function. ``ref93`` is a member the coordinators name référent of cases, as most members are.
ACCOUNTS = [
    ("coord93", "Claire", "Martin", Role.COORDINATOR, "93", 0, "Directrice de cabinet du préfet"),
    ("ref93", "Karim", "Belkacem", Role.MEMBER, "93", 7, "Éducateur spécialisé"),
    ("membre93", "Sophie", "Leroy", Role.MEMBER, "93", 5, "Éducatrice spécialisée"),
    ("pjj93", "Thomas", "Girard", Role.MEMBER, "93", 3, "Éducateur PJJ"),
    ("edu93", "Fatou", "Diallo", Role.MEMBER, "93", 2, "Conseillère technique sociale"),
    ("psy93", "Nadia", "Haddad", Role.MEMBER, "93", 7, "Psychologue"),
    ("coord69", "Julien", "Moreau", Role.COORDINATOR, "69", 1, "Directeur de cabinet du préfet"),
    ("membre69", "Camille", "Bernard", Role.MEMBER, "69", 6, "Assistante sociale"),
    ("asso69", "Yanis", "Mercier", Role.MEMBER, "69", 8, "Médiateur"),
    ("parquet69", "Anne", "Fontaine", Role.MEMBER, "69", 4, "Substitute du procureur"),
    ("equipe_mobile", "Élodie", "Petit", Role.MOBILE_TEAM, None, 9, "Psychologue clinicienne"),
    ("inspecteur", "Marc", "Dubois", Role.INSPECTOR, None, 10, "Inspecteur général"),
    ("national", "Hélène", "Lemoine", Role.NATIONAL, None, 11, "Chargée de mission"),
    ("admin", "Paul", "Lefèvre", Role.ADMIN, None, 12, "Administrateur technique"),
]


# Members the coordinators designated to contact the families.
FAMILY_CONTACTS = {"membre93", "membre69"}
# What each account does in the demo, in words that fit a woman as well as a man (README.md lists them too).
ROLE_WORDS = {Role.COORDINATOR: "coordination de la cellule", Role.MEMBER: "membre de la cellule",
              Role.MOBILE_TEAM: "équipe mobile d'intervention", Role.INSPECTOR: "inspection",
              Role.NATIONAL: "niveau national (CIPDR)", Role.ADMIN: "administration technique"}


def role_words(role: str, code: str | None) -> str:
    return f"{ROLE_WORDS[Role(role)]} {code}" if code else ROLE_WORDS[Role(role)]


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent)."

    def handle(self, *args, **options) -> None:
        if not settings.DEMO:
            raise CommandError("seed_demo ne s'exécute qu'en mode démonstration (DEMO=1).")
        # The demo's tasks would each send an e-mail to their fictitious owner: not while seeding.
        quiet = override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
        with quiet, audit.acting(label="commande seed_demo"), transaction.atomic():
            institutions = [self.institution(*row) for row in INSTITUTIONS]
            for cell_code, chair, periodicity, installed_on in CELLS:
                self.cell(cell_code, chair, periodicity, installed_on)
            for username, first, last, role, code, institution, function in ACCOUNTS:
                user = self.user(username, first, last)
                self.membership(user, role, code, institutions[institution], function)
            self.mandate()
            self.invitation()
            create_demo_funding()  # the 93's FIPD action, once
            cases = create_demo_cases()
            if cases:  # the cellule working together, then its meetings: after the cases' stories
                create_demo_teamwork()
                create_demo_parquet()  # last month's, before the report of that month is sent
                create_demo_local_prevention()  # before the report of last month is sent: it counts them
                create_demo_cellule_life()
                create_demo_reading_alert()  # after the stories' reads: they are its peers' history
            create_demo_support_groups()
            create_demo_overseas(DEMO_PASSWORD)  # New Caledonia's cellule (988), on Nouméa's clock
            accept_demo_charter()  # last: every account the stories made
        if cases:
            self.stdout.write(f"{cases} signalements de démonstration créés.")
        self.print_logins()

    def institution(self, name: str, category: str, code: str | None) -> Institution:
        existing = Institution.objects.filter(name=name).first()
        departement = Departement.objects.get(code=code) if code else None
        return existing or organisation.save_reference(
            SYSTEM, Institution(name=name, category=category, departement=departement))

    def cell(self, code: str, chair: str, periodicity: str, installed_on: datetime.date) -> Cell:
        departement = Departement.objects.get(code=code)
        existing = Cell.objects.filter(departement=departement).first()
        return existing or organisation.save_reference(
            SYSTEM,
            Cell(departement=departement, chair_function=chair, meeting_periodicity=periodicity,
                 installed_on=installed_on),
        )

    def user(self, username: str, first: str, last: str) -> User:
        existing = User.objects.filter(username=username).first()
        if existing:
            return existing
        user = User(username=username, first_name=first, last_name=last, email=f"{username}@demo.invalid")
        user.set_password(DEMO_PASSWORD)
        return organisation.save_reference(SYSTEM, user)

    def membership(self, user: User, role: str, code: str | None, institution: Institution, function: str) -> None:
        cell = Cell.objects.get(departement__code=code) if code else None
        if Membership.objects.filter(user=user, cell=cell).exists():  # a demo seeded before keeps its accounts
            return
        organisation.save_membership(
            SYSTEM,
            Membership(user=user, role=role, cell=cell, institution=institution, function=function,
                       contacts_families=user.username in FAMILY_CONTACTS, starts_on=datetime.date(2024, 1, 1)),
        )

    def invitation(self) -> None:
        """An account the technical administrator created, whose holder has not yet chosen a password:
        the accounts' page shows it as an invitation waiting."""
        if not User.objects.filter(username="c.marchand").exists():
            organisation.invite_account(User.objects.get(username="admin"), User(
                username="c.marchand", first_name="Claire", last_name="Marchand", email="c.marchand@demo.invalid"))

    def mandate(self) -> None:
        reference = "IGA-DEMO-01"
        if Mandate.objects.filter(reference=reference).exists():
            return
        year = timezone.localdate().year
        # Requested by the demo's national officer; the demo has no second one, so the set-up approves it.
        mandate = organisation.request_mandate(
            User.objects.get(username="national"),
            Mandate(reference=reference, inspector=User.objects.get(username="inspecteur"),
                    starts_on=datetime.date(year, 1, 1), ends_on=datetime.date(year + 1, 12, 31),
                    reviews_from=datetime.date(year - 1, 1, 1), reviews_until=datetime.date(year + 1, 12, 31)),
            Departement.objects.filter(code="93"),
        )
        organisation.approve_mandate(SYSTEM, mandate)

    def print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes. Comptes (mot de passe commun) :"))
        for username, first, last, role, code, _, function in ACCOUNTS:
            followed = Case.objects.filter(referent__username=username).exclude(state=State.CLOSED).count()
            charge = f", en charge de {followed} signalement{'s' if followed > 1 else ''}" if followed else ""
            self.stdout.write(f"  {username:<14} {first} {last} ({function}) — {role_words(role, code)}{charge}")
        self.stdout.write(f"Mot de passe : {DEMO_PASSWORD}")
