"""Factories of the organisation, with a trait per role."""

import datetime

import factory
from django.contrib.auth.models import User

from organisation.departements import DEPARTEMENTS
from organisation.models import Cell, Departement, Institution, Mandate, Membership, Role

NAMES = dict(DEPARTEMENTS)


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
    """A member of the 93 cellule by default; ``coordinator=True``, ``inspector=True``… for the others."""

    class Meta:
        model = Membership

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


class MandateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mandate
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"IGA-TEST-{n:03}")
    inspector = factory.SubFactory(UserFactory)
    starts_on = datetime.date(2024, 1, 1)
    ends_on = datetime.date(2099, 12, 31)

    @factory.post_generation
    def departements(self, create, codes, **kwargs):
        if create:
            self.departements.set([DepartementFactory(code=code) for code in codes or ["93"]])


def person_data(**overrides) -> dict:
    return {"last_name": "Durand", "first_name": "Lucas", "birth_date": datetime.date(2010, 3, 4), "sex": "m",
            "commune": "Bobigny", **overrides}


class CaseFactory(factory.Factory):
    """A case brought to a state through the entry points, as its users would, so its tasks,
    records and audit trail are real. ``CaseFactory(coordinator=user, referent=member, in_care=True)``."""

    class Meta:
        model = dict  # built by _create below, through cases.actions

    coordinator = None
    referent = None
    source = "cnapr"
    received_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=3))
    facts = "Propos inquiétants rapportés par l'établissement scolaire."
    person = factory.LazyFunction(person_data)
    relatives = factory.LazyFunction(lambda: [{"relation": "mother", "last_name": "Durand", "first_name": "Marie",
                                               "phone": "06 12 34 56 78", "parental_authority": True}])
    state = "received"

    class Params:
        family_contacted = factory.Trait(state="family_contacted")
        assigned = factory.Trait(state="assigned")
        in_care = factory.Trait(state="in_care")
        mobile_team_requested = factory.Trait(state="mobile_team_requested")
        closed = factory.Trait(state="closed")

    @classmethod
    def _create(cls, model_class, *, coordinator, referent, state, **fields):
        from cases import actions
        from mobile_team import actions as mobile

        cell = coordinator.memberships.get(role=Role.COORDINATOR).cell
        case = actions.intake(coordinator, cell, **fields)
        steps = ["received", "family_contacted", "assigned", "in_care", "mobile_team_requested", "closed"]
        target = steps.index(state)
        if target >= 1 and state != "closed" or target >= 2:
            actions.record_family_contact(coordinator, case, on=case.received_on, channel="phone", outcome="reached")
        if target >= 2:
            actions.assign(coordinator, case, referent=referent or coordinator)
        if target >= 3 and state != "closed":
            actions.start_care(referent or coordinator, case, measure={
                "modality": "social", "beneficiary": "young_person", "starts_on": case.received_on,
                "institution": InstitutionFactory(name="Association Sauvegarde", category="association")})
        if state == "mobile_team_requested":
            mobile.request_mobile_team(coordinator, case, motive="Regard clinique", expected="individual_care",
                                        urgency="normal", summary="Isolement, propos de rupture.",
                                        preferred_dates="Mercredis après-midi", preferred_place="Bobigny")
        if state == "closed":
            actions.close(coordinator, case, reason="completed", note="Fin du suivi.")
        case.refresh_from_db()
        return case


def mobile_request(coordinator, agent, status: str = "requested"):
    """A request to the mobile team walked to ``status`` through the entry points: the case's
    coordinator asks, ``agent`` takes it, accepts, schedules, reports and completes as needed."""
    import datetime as dt

    from django.utils import timezone

    from mobile_team import actions as mobile
    from workflows import tasks

    case = CaseFactory(coordinator=coordinator, referent=coordinator, mobile_team_requested=True)
    request = case.mobile_team_requests.get()
    steps = ["requested", "claimed", "accepted", "scheduled", "reported", "completed"]
    if status in ("declined", "withdrawn"):
        target = 1 if status == "declined" else 0
    else:
        target = steps.index(status)
    if target >= 1:
        tasks.claim(agent, case.tasks.get(flow_task_name="handle_request"))
    if status == "declined":
        mobile.decline(agent, request, reason="Équipe complète ce mois-ci.")
    if status == "withdrawn":
        mobile.withdraw(coordinator, case, reason="La famille a trouvé un autre soutien.")
    if target >= 2:
        mobile.accept(agent, request)
    if target >= 3:
        mobile.schedule(agent, request, scheduled_at=timezone.now() + dt.timedelta(days=2),
                         place="Centre médico-psychologique de Bobigny", intervener="Dr Élodie Petit")
    if target >= 4:
        mobile.add_report(agent, request, on=timezone.localdate(), text="Premier entretien ; adhésion du jeune.")
    if target >= 5:
        mobile.complete(agent, request)
    request.refresh_from_db()
    return request
