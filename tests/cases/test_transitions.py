"""Every transition of the lifecycle (docs/case-lifecycle.md): allowed from its states, refused otherwise
with a French message, refused to the wrong role and to another département, and refused when a
precondition is missing."""


import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases import actions
from cases.models import State
from mobile_team import actions as mobile
from organisation.errors import ActionRefused
from organisation.models import Departement
from organisation.policy import AccessDenied
from tests.cases.factories import CaseFactory, bilan, transferred
from tests.organisation.factories import InstitutionFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

STATES = [s.value for s in State]
TODAY = timezone.localdate()


def measure() -> dict:
    return {"modality": "psychological", "beneficiary": "family", "starts_on": TODAY, "adhesion": "family",
            "institution": InstitutionFactory(name="Maison des adolescents", partner=True)}


OBJECTIVE = {"domain": "family", "text": "Renouer le dialogue avec les parents."}


# transition: (who does it, the call, the states it leaves from, the state it reaches)
TRANSITIONS = {
    "assign": ("coord_a",
               lambda p, c: actions.assign(p.coord_a, c, referent=p.member_a, no_contact_reason="unreachable"),
               {"received", "family_contacted"}, "assigned"),
    "start_care": ("member_a", lambda p, c: actions.start_care(p.member_a, c, measure=measure(), objective=OBJECTIVE),
                   {"assigned"}, "in_care"),
    "request_mobile_team": ("coord_a", lambda p, c: mobile.request_mobile_team(
        p.coord_a, c, motive="Avis clinique", expected="advice", urgency="urgent", summary="Repli sur soi."),
        {"assigned", "in_care"},
        "mobile_team_requested"),
    "mobile_team_done": ("coord_a", lambda p, c: mobile.withdraw(
        p.coord_a, c, reason="La famille a trouvé un suivi."),
        {"mobile_team_requested"}, "in_care"),
    "close": ("coord_a", lambda p, c: actions.close(p.coord_a, c, reason="left", note="Départ de la famille.",
                                                    measures_outcome="interrupted", bilan=bilan(c)),
              set(STATES) - {"closed"}, "closed"),
    "reopen": ("coord_a", lambda p, c: actions.reopen(p.coord_a, c, reason="Nouveau signalement du lycée."),
               {"closed"}, "received"),
    "transfer": ("coord_b", lambda p, c: transferred(p, c, note="Déménagement à Lyon."),
        set(STATES) - {"closed"}, "closed"),
}


def case_in(personas, state: str):
    return CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, state=state)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("name", TRANSITIONS)
def test_each_transition_from_each_state(personas, name, state):
    actor, call, sources, target = TRANSITIONS[name]
    case = case_in(personas, state)
    if state in sources:
        call(personas, case)
        case.refresh_from_db()
        assert case.state == target
        event = Event.objects.filter(action=f"case.{name}").latest("id")
        assert (event.details["de"], event.details["vers"], event.actor) == (state, target, getattr(personas, actor))
    elif case.referent is None and name == "start_care":
        # Before a referent is named nobody holds the right to start the care: the policy refuses first.
        with pytest.raises(AccessDenied):
            call(personas, case)
    else:
        with pytest.raises(ActionRefused) as refusal:
            call(personas, case)
        # The action's own check, as the case page says it: its name, then the case's state.
        assert refusal.value.message.startswith("« ") and refusal.value.message.endswith(
            f"» n'est pas possible : le signalement {case.reference} est à l'état « {State(state).label} ».")
        case.refresh_from_db()
        assert case.state == state


def test_contact_reached_moves_a_received_case_and_failures_keep_it(personas):
    case = case_in(personas, "received")
    actions.record_family_contact(personas.coord_a, case, on=TODAY, channel="phone", outcome="unreachable")
    case.refresh_from_db()
    assert case.state == State.RECEIVED and case.family_contacts.count() == 1
    actions.record_family_contact(personas.coord_a, case, on=TODAY, channel="visit", outcome="reached")
    case.refresh_from_db()
    assert case.state == State.FAMILY_CONTACTED
    assert Event.objects.filter(action="case.contact_family", actor=personas.coord_a).count() == 1


WRONG_ROLES = {
    "assign": ["member_a", "inspector", "national", "mobile", "admin"],
    "start_care": ["coord_a", "member_b", "inspector", "national"],  # the referent's, not the coordinator's
    "request_mobile_team": ["member_a", "inspector", "national", "mobile"],
    "mobile_team_done": ["member_a", "inspector", "national"],
    "close": ["member_a", "inspector", "national", "admin"],
    "reopen": ["member_a", "inspector", "national"],
    "transfer": ["member_a", "inspector", "national"],
}
READY = {"assign": "family_contacted", "start_care": "assigned", "request_mobile_team": "in_care",
         "mobile_team_done": "mobile_team_requested", "close": "in_care", "reopen": "closed", "transfer": "in_care"}


def act_as(personas, name: str, user):
    """The transition's call made by ``user`` instead of its rightful actor."""
    _, call, _, _ = TRANSITIONS[name]
    swapped = type(personas)(**{**vars(personas), "coord_a": user, "member_a": user})
    return lambda case: call(swapped, case)


@pytest.mark.parametrize("name,wrong", [(n, w) for n, roles in WRONG_ROLES.items() for w in roles + ["coord_b"]])
def test_wrong_role_or_departement_is_refused_and_recorded_nowhere(personas, name, wrong):
    case = case_in(personas, READY[name])
    events = Event.objects.count()
    with pytest.raises(AccessDenied):
        act_as(personas, name, getattr(personas, wrong))(case)
    case.refresh_from_db()
    assert case.state == READY[name]
    assert Event.objects.count() == events


PRECONDITIONS = [
    ("received", lambda p, c: actions.assign(p.coord_a, c, referent=p.member_a), ValidationError,
     "Indiquez pourquoi la famille n'a pas été contactée."),
    ("family_contacted", lambda p, c: actions.assign(p.coord_a, c, referent=p.member_b), ValidationError,
     "Le référent doit être membre de la cellule du département."),
    ("assigned", lambda p, c: actions.start_care(p.member_a, c), ActionRefused,
     "Pour démarrer la prise en charge, il manque une prise en charge en cours et un objectif au plan "
     "d'accompagnement."),
    ("assigned", lambda p, c: actions.start_care(p.member_a, c, measure=measure()), ActionRefused,
     "Pour démarrer la prise en charge, il manque un objectif au plan d'accompagnement."),
    ("assigned", lambda p, c: actions.start_care(p.member_a, c, objective=OBJECTIVE), ActionRefused,
     "Pour démarrer la prise en charge, il manque une prise en charge en cours."),
    ("in_care", lambda p, c: actions.close(p.coord_a, c, reason="completed", note="  "), ValidationError,
     "Une note de clôture est obligatoire."),
    ("in_care", lambda p, c: actions.close(p.coord_a, c, reason="transferred", note="x"), ValidationError,
     "Choisissez un motif de clôture (le transfert a sa propre action)."),
    ("closed", lambda p, c: actions.reopen(p.coord_a, c, reason=""), ValidationError,
     "Indiquez le motif de la réouverture."),
    ("in_care", lambda p, c: actions.transfer(p.coord_a, c, destination=c.departement, note="x"), ValidationError,
     "Choisissez un autre département que celui du signalement."),
    ("in_care", lambda p, c: actions.transfer(p.coord_a, c, destination=Departement.objects.get(code="2A"),
                                              note="x"), ActionRefused, "n'a pas de cellule de suivi"),
    ("in_care", lambda p, c: mobile.request_mobile_team(p.coord_a, c, motive="", expected="advice", urgency="normal",
                                                         summary="x"),
     ValidationError, "Ce champ ne peut pas être vide."),
]


@pytest.mark.parametrize("state,call,error,message", PRECONDITIONS)
def test_missing_preconditions_are_refused_with_a_french_message(personas, state, call, error, message):
    case = case_in(personas, state)
    events = Event.objects.count()
    with pytest.raises(error) as refusal:
        call(personas, case)
    text = refusal.value.message if isinstance(refusal.value, ActionRefused) else str(refusal.value.messages)
    assert message in text
    case.refresh_from_db()
    assert case.state == state
    # Nor an event of what the entry point did before its refusal (a measure added, its event recorded).
    assert Event.objects.count() == events


def test_a_transferred_case_opens_in_the_destination_and_stays_closed_here(personas):
    case = case_in(personas, "in_care")
    copy = transferred(personas, case, note="Déménagé")
    case.refresh_from_db()
    assert (case.state, case.closure_reason) == (State.CLOSED, "transferred")
    assert (copy.state, copy.departement.code, copy.transferred_from) == (State.RECEIVED, "69", case)
    assert copy.reference.startswith("69-") and copy.person.last_name == case.person.last_name
    assert copy.relatives.count() == case.relatives.count() == 1
    assert list(type(case).objects.visible_to(personas.coord_b)) == [copy]
    assert copy not in type(case).objects.visible_to(personas.coord_a)
    with pytest.raises(ActionRefused, match="transféré"):
        actions.reopen(personas.coord_a, case, reason="Retour")


def test_references_follow_each_other_per_departement_and_year(personas):
    first, second = case_in(personas, "received"), case_in(personas, "received")
    year = timezone.localdate().year
    assert (first.reference, second.reference) == (f"93-{year}-0001", f"93-{year}-0002")
    other = CaseFactory(coordinator=personas.coord_b)
    assert other.reference == f"69-{year}-0001"


def test_the_state_is_never_assigned_directly(personas):
    case = case_in(personas, "received")
    with pytest.raises(AttributeError):
        case.state = State.CLOSED


def test_no_details_is_not_a_reason_to_skip_the_contact_when_a_relative_has_a_phone(client, personas):
    """« Non tenté — Pas de coordonnées » holds only when no relative has a phone or an e-mail, as for the
    assignment without contact; a contact not attempted has no means (issue 28, point 6)."""
    from cases.models import FamilyContact

    reached = CaseFactory(coordinator=personas.coord_a, relatives=[{
        "relation": "mother", "last_name": "Durand", "first_name": "Anne", "phone": "06 11 22 33 44"}])
    unknown = CaseFactory(coordinator=personas.coord_a, relatives=[])
    client.force_login(personas.coord_a)
    data = {"on": TODAY.isoformat(), "channel": "", "outcome": "not_attempted",
            "not_attempted_reason": "Pas de coordonnées de la famille", "note": ""}
    refused = client.post(reverse("cases:action", args=[reached.pk, "contact"]), data)
    assert refused.status_code == 400 and "la famille a des coordonnées" in refused.content.decode()
    assert not FamilyContact.objects.filter(case=reached).exists()
    assert client.post(reverse("cases:action", args=[unknown.pk, "contact"]), data).status_code == 302
    contact = FamilyContact.objects.get(case=unknown)
    assert (contact.channel, contact.not_attempted_reason) == ("", "Pas de coordonnées de la famille")
    assert str(contact) == f"{TODAY:%d/%m/%Y} — Non tenté"
