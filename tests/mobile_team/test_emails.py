"""E-mails between the cellules and the mobile team: new requests, answers, withdrawals. None names
the young person."""

import pytest
from django.core import mail

from audit.models import Event
from cases import actions
from cases.models import Person
from mobile_team import actions as mobile
from tests.cases.factories import CaseFactory, bilan, person_data, transferred
from tests.mobile_team.factories import mobile_request
from tests.mobile_team.test_mobile_team import ANSWERS
from tests.organisation.factories import MembershipFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


def test_a_new_request_emails_every_active_team_agent(personas, mobile2, django_capture_on_commit_callbacks):
    MembershipFactory(mobile_team=True, ended=True, user__username="mobile_former")
    MembershipFactory(mobile_team=True, user__username="mobile_inactive", user__is_active=False)
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True,
                       person=person_data(last_name="Kerbrat-Vasseur"))
    with django_capture_on_commit_callbacks(execute=True):
        mobile.request_mobile_team(personas.coord_a, case, motive="Regard clinique", expected="family_support",
                                    urgency="urgent", summary="Isolement.")
    (sent,) = [m for m in mail.outbox if "Nouvelle demande d'intervention" in m.subject]
    assert sorted(sent.to) == ["mobile2@example.invalid", "mobile@example.invalid"]
    assert "(93)" in sent.subject and "URGENTE" in sent.subject
    assert "kerbrat" not in (sent.subject + sent.body).casefold() and case.reference not in sent.body


# answer: what the coordinators read
ANSWER_MAILS = {"accept": "acceptée", "decline": "décliné la demande", "schedule": "Intervention prévue le",
                "report": "compte rendu", "complete": "terminé son intervention"}
# each answer has its own subject
ANSWER_SUBJECTS = {"accept": "Demande acceptée par l'équipe mobile",
                   "decline": "Demande déclinée par l'équipe mobile",
                   "schedule": "Intervention programmée par l'équipe mobile",
                   "report": "Compte rendu d'intervention reçu",
                   "complete": "Intervention de l'équipe mobile terminée"}


@pytest.mark.parametrize("answer", ANSWERS)
def test_each_answer_emails_the_departements_coordinators(personas, django_capture_on_commit_callbacks, answer):
    MembershipFactory(cell=personas.cell_a, coordinator=True, user__username="coord_a2")
    MembershipFactory(cell=personas.cell_a, coordinator=True, ended=True, user__username="coord_a_former")
    state, call = ANSWERS[answer]
    request = mobile_request(personas.coord_a, personas.mobile, state)
    Person.objects.filter(cases=request.case).update(last_name="Kerbrat-Vasseur")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call(personas.mobile, request)
    (sent,) = [m for m in mail.outbox if m.subject.startswith(f"[Cellule de suivi] {ANSWER_SUBJECTS[answer]} — ")]
    assert sent.to == ["coord_a2@example.invalid", "coord_a@example.invalid"]
    assert request.case.reference in sent.subject and ANSWER_MAILS[answer] in sent.body
    assert [m.subject for m in mail.outbox if "kerbrat" in (m.subject + m.body).casefold()] == []


WITHDRAWALS = {
    "withdrawn": lambda p, case: mobile.withdraw(p.coord_a, case, reason="La famille a trouvé un autre soutien."),
    "closed": lambda p, case: actions.close(p.coord_a, case, reason="left", note="Départ de la famille.",
                                            measures_outcome="interrupted", bilan=bilan(case)),
    "transferred": lambda p, case: transferred(p, case),
}


@pytest.mark.parametrize("status", ["requested", "accepted"])
@pytest.mark.parametrize("how", WITHDRAWALS)
def test_every_withdrawal_is_recorded_and_told_to_the_team(personas, mobile2, django_capture_on_commit_callbacks,
                                                           how, status):
    """Withdrawn by the coordinators, or with the case's closure or transfer: never silently."""
    request = mobile_request(personas.coord_a, personas.mobile, status)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        WITHDRAWALS[how](personas, request.case)
    request.refresh_from_db()
    assert request.status == "withdrawn"
    event = Event.objects.get(action="mobile_request.withdraw")
    closer = personas.coord_b if how == "transferred" else personas.coord_a  # the Rhône's accepts the transfer
    assert (event.actor, event.details["demande"]) == (closer, request.pk)
    (sent,) = [m for m in mail.outbox if "retirée" in m.subject]
    # The agent who took the request is told; while nobody has, every agent is.
    expected = ["mobile@example.invalid"] if status == "accepted" else ["mobile2@example.invalid",
                                                                         "mobile@example.invalid"]
    assert sorted(sent.to) == expected and f"n° {request.pk}" in sent.subject
