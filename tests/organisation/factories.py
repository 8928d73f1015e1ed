"""Factories of the organisation, with a trait per role."""

import datetime

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from charter.models import Acceptance, Version
from organisation.departements import territories
from organisation.models import Cell, Departement, Institution, Mandate, Membership, Role

NAMES = {row["code"]: row["name"] for row in territories()}


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ("code",)

    code = "93"
    name = factory.LazyAttribute(lambda d: NAMES[d.code])


class CellFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cell
        django_get_or_create = ("departement",)

    departement = factory.SubFactory(DepartementFactory)
    chair_function = Cell.ChairFunction.DIRECTEUR_CABINET
    meeting_periodicity = Cell.Periodicity.MONTHLY
    installed_on = datetime.date(2015, 1, 5)


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Institution {n}")
    category = Institution.Category.STATE

    class Params:
        # An institution of the Seine-Saint-Denis (the personas' cellule_a), which takes people into care
        # there; without it, a national body, which takes no one into care.
        partner = factory.Trait(departement=factory.SubFactory(DepartementFactory))
        # A CLSPD of the Seine-Saint-Denis: a local prevention body the cellule orients young people to.
        local_prevention = factory.Trait(
            departement=factory.SubFactory(DepartementFactory), category=Institution.Category.LOCAL_PREVENTION,
            prevention_kind=Institution.PreventionKind.CLSPD, territory="Bobigny", contact_name="Claire Martin",
            contact_email="clspd@bobigny.example.invalid", contact_phone="01 41 60 93 93")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.django.Password("mot-de-passe-de-test")


class MembershipFactory(factory.django.DjangoModelFactory):
    """A member of the 93 cellule by default; ``coordinator=True``, ``inspector=True``… for the others.

    Whoever reads names has accepted the current confidentiality charter, as every agent at work has: the
    tests of other concerns open their pages. ``charter_accepted=False`` for someone who has not yet
    (tests/charter)."""

    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    cell = factory.SubFactory(CellFactory)
    institution = factory.SubFactory(InstitutionFactory)
    function = "Chargé de mission"
    role = Role.MEMBER
    starts_on = datetime.date(2024, 1, 1)

    class Params:
        coordinator = factory.Trait(role=Role.COORDINATOR)
        mobile_team = factory.Trait(role=Role.MOBILE_TEAM, cell=None)
        inspector = factory.Trait(role=Role.INSPECTOR, cell=None)
        national = factory.Trait(role=Role.NATIONAL, cell=None)
        admin = factory.Trait(role=Role.ADMIN, cell=None)
        ended = factory.Trait(ends_on=datetime.date(2024, 12, 31))

    @factory.post_generation
    def charter_accepted(self, create, accepted, **kwargs):
        version = Version.objects.current()
        if create and accepted is not False and self.role in Role.case_roles() and version is not None:
            Acceptance.objects.get_or_create(user=self.user, version=version,
                                             defaults={"accepted_at": timezone.now()})


class MandateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mandate
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"IGA-TEST-{n:03}")
    inspector = factory.SubFactory(UserFactory)
    starts_on = datetime.date(2024, 1, 1)
    ends_on = datetime.date(2099, 12, 31)
    reviews_from = factory.SelfAttribute("starts_on")
    reviews_until = factory.SelfAttribute("ends_on")
    approved_at = factory.LazyFunction(lambda: datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))

    @factory.post_generation
    def departements(self, create, codes, **kwargs):
        if create:
            self.departements.set([DepartementFactory(code=code) for code in codes or ["93"]])
