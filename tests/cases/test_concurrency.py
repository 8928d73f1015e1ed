"""Two people acting at once, with real threads on PostgreSQL: one wins, the other is told, nothing is lost."""

import threading
from collections.abc import Callable

import pytest
from django.db import connections
from django_fsm import ConcurrentTransition

from cases import actions
from cases.models import Case
from organisation.errors import ActionRefused
from tests.cases.factories import CaseFactory
from tests.mobile_team.factories import mobile_request
from tests.organisation.factories import MembershipFactory
from workflows import tasks

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]
REPETITIONS = 20


def at_once(*calls: Callable) -> list:
    """Run the calls in threads released together; each returns its result or the exception it raised."""
    results = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(i: int, call: Callable) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as error:  # collected for the test to inspect
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_coordinators_naming_a_referent_at_once(personas):
    second = MembershipFactory(cell=personas.cell_a, coordinator=True, user__username="coord_a2").user
    for _ in range(REPETITIONS):
        case = CaseFactory(coordinator=personas.coord_a, family_contacted=True)
        results = at_once(
            lambda case=case: actions.assign(personas.coord_a, case, referent=personas.member_a),
            lambda case=case: actions.assign(second, case, referent=second),
        )
        refused = [r for r in results if isinstance(r, ActionRefused)]
        done = [r for r in results if isinstance(r, Case)]
        assert len(done) == 1 and len(refused) == 1, results
        assert refused[0].message.endswith("est à l'état « Attribué ».")
        case.refresh_from_db()
        assert (case.state, case.referent) == ("assigned", done[0].referent)  # the winner's, not overwritten
        assert [(t.flow_task_name, t.owner) for t in case.tasks.open()] == [("set_up_care", done[0].referent)]


def test_a_stale_copy_cannot_overwrite_a_newer_state(personas):
    case = CaseFactory(coordinator=personas.coord_a, family_contacted=True)
    stale = Case.objects.get(pk=case.pk)
    actions.assign(personas.coord_a, case, referent=personas.member_a)
    stale.close()
    with pytest.raises(ConcurrentTransition):
        stale.save()


def test_two_people_claiming_one_task_at_once(personas):
    designated = MembershipFactory(cell=personas.cell_a, contacts_families=True, user__username="designee").user
    for _ in range(REPETITIONS):
        task = CaseFactory(coordinator=personas.coord_a).tasks.get(flow_task_name="contact_family")
        results = at_once(lambda t=task: tasks.claim(personas.coord_a, t), lambda t=task: tasks.claim(designated, t))
        winners = [r for r in results if not isinstance(r, Exception)]
        losers = [r for r in results if isinstance(r, ActionRefused)]
        assert len(winners) == 1 and len(losers) == 1, results
        task.refresh_from_db()
        assert task.status == "ASSIGNED" and task.owner == winners[0].owner


def test_a_claim_and_the_transition_that_completes_the_task_at_once(personas):
    """The transition locks the process with the case, the claim the process alone: one waits for the
    other, and the task ends done by the one who acted, never claimed again after it."""
    second = MembershipFactory(cell=personas.cell_a, coordinator=True, user__username="coord_a2").user
    for _ in range(REPETITIONS):
        case = CaseFactory(coordinator=personas.coord_a, family_contacted=True)
        task = case.tasks.get(flow_task_name="name_referent")
        results = at_once(lambda case=case: actions.assign(personas.coord_a, case, referent=personas.member_a),
                          lambda t=task: tasks.claim(second, t))
        assert isinstance(results[0], Case), results
        task.refresh_from_db()
        assert (task.status, task.owner) == ("DONE", personas.coord_a)


def test_references_stay_unique_when_eight_intakes_run_at_once(personas):
    results = at_once(*[lambda: CaseFactory(coordinator=personas.coord_a) for _ in range(8)])
    assert all(isinstance(r, Case) for r in results), results
    numbers = sorted(Case.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 9))
    assert len(set(Case.objects.values_list("reference", flat=True))) == 8


def test_two_agents_claiming_one_request_at_once(personas):
    second = MembershipFactory(mobile_team=True, user__username="agent2").user
    for _ in range(REPETITIONS):
        request = mobile_request(personas.coord_a, personas.mobile)
        task = request.case.tasks.get(flow_task_name="handle_request")
        results = at_once(lambda t=task: tasks.claim(personas.mobile, t), lambda t=task: tasks.claim(second, t))
        winners = [r for r in results if not isinstance(r, Exception)]
        losers = [r for r in results if isinstance(r, ActionRefused)]
        assert len(winners) == 1 and len(losers) == 1, results
        assert "déjà été prise" in losers[0].message
        task.refresh_from_db()
        assert (task.status, task.owner) == ("ASSIGNED", winners[0].owner)
