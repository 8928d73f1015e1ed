"""What a transition costs through the web, against the bare stack's 20 to 22 queries for a viewflow
task completed with its transition (``bench/transition.py``): a budget per request, so that a check
or a read added to the path shows here. BEGIN, COMMIT and savepoints are counted, as the bench does."""


import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases.task_kinds import CONTACT_FAMILY
from organisation import policy
from tests.cases.factories import CaseFactory, progress_form
from tests.organisation.factories import InstitutionFactory, MembershipFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

TODAY = timezone.localdate()

# action: (who posts it, the state the case is in, the form's data, the largest query count; one of
# them asks whether a transfer is pending, cases.task_kinds; one INSERT queues the e-mail of a task given, outbox;
# the case is locked with its process, whose lock the tasks then do not take again, with its référent's choice of
# e-mail, cases.actions.base.lock; an entry point's events are written in one INSERT at its end, audit.batched;
# starting the care reads what its form asks (a measure under way, an objective) with the page's case, and under the
# lock each party's consent, cases.actions.consent.basis; it records the adhesion with its history when it is new,
# and writes the plan's first objective (its row, its history, its text kept apart); a review reads the plan's
# objectives, whose progress it records, and the cellule's rhythm for the next one; assigning reads the new
# référent's choice of e-mail with their membership; each change writes the case's time of change once, with the
# case's row when it saves it, cases.actions.base; the tasks the case expects are asked in one query,
# workflows.kinds.expected; each notification inserts its rows, workflows.notifications.notify: a task given is
# one, the naming of a référent another; the session and the user's memberships cost none once the session is
# under way, organisation.session_store and session_scope. Before: contact 23 then 18, assign 29 then 23, start
# care 37 then 32, review 28 then 23)
POSTS = {
    "contact": ("coord_a", "received",
                lambda p, case: {"on": TODAY.isoformat(), "channel": "phone", "outcome": "reached"}, 17),
    "attribuer": ("coord_a", "family_contacted",
                  lambda p, case: {"referent": p.member_a.memberships.get().pk}, 21),
    "prise-en-charge": ("member_a", "assigned", lambda p, case: {
        "modality": "social", "beneficiary": "young_person", "starts_on": TODAY.isoformat(), "adhesion": "family",
        "institution": InstitutionFactory(name="Maison des adolescents", partner=True).pk, "domain": "family",
        "text": "Renouer le dialogue."}, 25),
    "revue": ("member_a", "in_care", lambda p, case: {"note": "Point d'étape.", **progress_form(case)}, 21),
}


def signed_in(client, user):
    """A user signed in for a while: their session already holds its times (``SessionLimitsMiddleware``
    writes them at the first request), and nothing the set-up cached on the object is the request's."""
    client.force_login(user)
    assert client.get(reverse("workflows:inbox")).status_code == 200
    policy.forget(user)
    return client


@pytest.mark.parametrize("slug", POSTS)
def test_a_transition_post_stays_within_its_query_budget(personas, client, django_assert_max_num_queries, slug):
    who, state, data, budget = POSTS[slug]
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, state=state)
    data = data(personas, case)
    signed_in(client, getattr(personas, who))
    with django_assert_max_num_queries(budget):
        response = client.post(reverse("cases:action", args=[case.pk, slug]), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state != state or slug == "revue"


def test_a_claim_stays_within_its_query_budget(personas, client, django_assert_max_num_queries):
    case = CaseFactory(coordinator=personas.coord_a)
    task = case.tasks.get(flow_task_name=CONTACT_FAMILY)
    signed_in(client, personas.coord_a)
    with django_assert_max_num_queries(9):  # 11 before the session cache and the kept scope
        response = client.post(reverse("workflows:claim", args=[task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.owner == personas.coord_a


def test_a_member_who_just_did_their_task_sees_the_case_without_being_asked_why(personas, client):
    """The family contact done, the designated member holds no task of the case any more: the
    action is the motive of the page that follows, as before."""
    designated = MembershipFactory(cell=personas.cell_a, contacts_families=True, user__username="designee").user
    case = CaseFactory(coordinator=personas.coord_a)
    signed_in(client, designated)
    task = case.tasks.get(flow_task_name=CONTACT_FAMILY)
    assert client.post(reverse("workflows:claim", args=[task.pk])).status_code == 302
    response = client.post(reverse("cases:action", args=[case.pk, "contact"]),
                           {"on": TODAY.isoformat(), "channel": "phone", "outcome": "reached"})
    assert response.status_code == 302
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200  # not sent to the motive's form
    read = Event.objects.filter(action="case.view", object_id=str(case.pk)).latest("id")
    assert read.details["motif"] == "Suite de l'action « Enregistrer un contact avec la famille »"
