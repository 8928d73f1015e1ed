"""Cases brought to a state through the entry points, as their users would."""

import datetime

import factory
from django.utils import timezone

from organisation.models import Role
from tests.organisation.factories import InstitutionFactory


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
    received_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))
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
                "institution": InstitutionFactory(name=f"Association Sauvegarde {case.departement.code}",
                                                  category="association", departement=case.departement),
                "adhesion": "young_person"},
                objective={"domain": "schooling", "text": "Reprendre une scolarité régulière."})
        if state == "mobile_team_requested":
            mobile.request_mobile_team(coordinator, case, motive="Regard clinique", expected="individual_care",
                                        urgency="normal", summary="Isolement, propos de rupture.",
                                        preferred_dates="Mercredis après-midi", preferred_place="Bobigny")
        if state == "closed":
            actions.close(coordinator, case, reason="completed", note="Fin du suivi.")
        case.refresh_from_db()
        return case


def transferred(personas, case, note: str = "Déménagement."):
    """The case transferred to the Rhône: requested by its coordinator, accepted by the Rhône's; the new case."""
    from cases import actions

    request = actions.transfer(personas.coord_a, case, destination=personas.cell_b.departement, note=note)
    return actions.accept_transfer(personas.coord_b, request)


def bilan(case, result: str = "reached", **overrides) -> dict | None:
    """The end-of-support bilan closing a case in care asks for (``cases.actions.close``): ``result`` for
    each objective of its plan, the young person back at school, no follow-up contact planned; None for a
    case not in care, whose closure takes none."""
    case.refresh_from_db(fields=["state"])
    if case.state not in ("in_care", "mobile_team_requested"):
        return None
    return {"exit_situation": "school", "situation_note": "", "follow_up_planned": False, "follow_up_on": None,
            "results": {objective.pk: result for objective in case.objectives.all()}, **overrides}


def progress(case, where: str = "advancing") -> dict[int, str]:
    """A review's progress: every objective of the case's plan where ``where`` says."""
    return dict.fromkeys(case.objectives.values_list("pk", flat=True), where)


def progress_form(case, where: str = "advancing") -> dict[str, str]:
    """The review form's fields of ``progress``."""
    return {f"avancement_{pk}": value for pk, value in progress(case, where).items()}
