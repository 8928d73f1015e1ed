"""The case list, the case page and the intake form, scoped by the access policy."""

import datetime
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import Event
from cases import actions
from cases.models import Case
from cases.views.case_page import ACTIONS
from tests.cases.factories import CaseFactory, person_data

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


def listed(client, **params) -> str:
    return client.get(reverse("cases:list"), params).content.decode()


def test_the_list_is_scoped_to_the_departement_and_records_the_read(client, personas):
    mine = CaseFactory(coordinator=personas.coord_a)
    other = CaseFactory(coordinator=personas.coord_b, person=person_data(last_name="Lyonnais"))
    client.force_login(personas.coord_a)
    page = listed(client)
    assert mine.reference in page and other.reference not in page and "LYONNAIS" not in page
    event = Event.objects.get(action="case.list")
    assert event.details["signalements"] == [mine.reference]


def test_a_member_sees_only_the_cases_they_work_on(client, personas):
    theirs = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    not_theirs = CaseFactory(coordinator=personas.coord_a)
    client.force_login(personas.member_a)
    page = listed(client)
    assert theirs.reference in page and not_theirs.reference not in page
    assert client.get(reverse("cases:detail", args=[not_theirs.pk])).status_code == 404
    assert client.get(reverse("cases:detail", args=[theirs.pk])).status_code == 200


def test_filters_and_search(client, personas):
    received = CaseFactory(coordinator=personas.coord_a, source="ems", person=person_data(last_name="Benali"))
    assigned = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    client.force_login(personas.coord_a)
    assert received.reference in listed(client, state="received")
    assert assigned.reference not in listed(client, state="received")
    assert received.reference in listed(client, source="ems") and assigned.reference not in listed(client, source="ems")
    assert assigned.reference in listed(client, referent=personas.member_a.pk)
    assert received.reference not in listed(client, referent=personas.member_a.pk)
    assert received.reference in listed(client, q="benali") and assigned.reference not in listed(client, q="benali")
    assert assigned.reference in listed(client, q=assigned.reference)
    assert received.reference in listed(client, state="nimporte")  # an unknown value filters nothing


def test_the_list_costs_the_same_queries_for_5_or_30_cases(client, personas):
    client.force_login(personas.coord_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("cases:list"))
        return len(captured)

    for _ in range(5):
        CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    queries()  # the scope kept with the session from now on (organisation.session_scope)
    few = queries()
    for _ in range(25):
        CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    assert queries() == few


def test_the_case_page_shows_the_file_and_records_the_view(client, personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    client.force_login(personas.coord_a)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    for text in ["Lucas DURAND", "Marie DURAND (mère)", "Famille jointe", "Accompagnement social",
                 "Revue de suivi", "Prise en charge démarrée : Attribué → Prise en charge", "Prise en charge"]:
        assert text in page, text
    event = Event.objects.get(action="case.view")
    assert (event.actor, event.object_id, event.departement) == (personas.coord_a, str(case.pk), "93")


SHOWN = {
    ("coord_a", "received"): {"contact", "attribuer", "mesure", "jeune", "proche", "adhesion", "cloturer",
                              "transferer", "demande-entretien", "note", "objectif", "information-procureur"},
    ("coord_a", "assigned"): {"equipe-mobile", "contact", "changer-referent", "mesure", "jeune", "proche", "adhesion",
                              "cloturer", "transferer", "demande-entretien", "note", "objectif",
                              "information-procureur"},
    ("member_a", "assigned"): {"prise-en-charge", "contact", "mesure", "jeune", "proche", "adhesion", "note",
                               "objectif"},
    ("member_a", "in_care"): {"revue", "contact", "mesure", "jeune", "proche", "adhesion", "note", "objectif",
                              "action-plan"},
    ("coord_a", "closed"): {"rouvrir", "geler", "information-procureur"},
    ("inspector", "in_care"): set(),
}


@pytest.mark.parametrize("user,state", SHOWN)
def test_only_the_actions_possible_now_are_offered(client, personas, user, state):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, state=state)
    client.force_login(getattr(personas, user))
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    offered = {a.slug for a in ACTIONS if reverse("cases:action", args=[case.pk, a.slug]) + '"' in page}
    assert offered == SHOWN[(user, state)]


def case_urls(case) -> list[str]:
    """Every URL about one case: its page and each of its actions (on the case and on its records)."""
    measure, relative = case.care_measures.first(), case.relatives.first()
    urls = [reverse("cases:detail", args=[case.pk])]
    for action in ACTIONS:
        if action.target_model is None:
            urls.append(reverse("cases:action", args=[case.pk, action.slug]))
        else:
            target = measure if action.target_model.__name__ == "CareMeasure" else relative
            urls.append(reverse("cases:record_action", args=[case.pk, action.slug, target.pk]))
    return urls


@pytest.mark.parametrize("name", ["coord_b", "member_b", "national", "mobile", "admin", "outsider"])
def test_every_case_url_is_a_404_outside_the_departement(client, personas, name):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    client.force_login(getattr(personas, name))
    for url in case_urls(case):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"note": "x", "reason": "x"}).status_code == 404, url
    case.refresh_from_db()
    assert case.state == "in_care"
    assert Event.objects.filter(action="access.denied", actor=getattr(personas, name)).count() == 2 * len(
        case_urls(case))


def test_a_case_page_of_an_id_no_case_may_have_is_a_404(client, personas):
    """The page's case is read by a statement compiled once per reader (``ui.statements.of``): an id from the
    address beyond the database's integers, or a missing one, is a 404, never a server error."""
    client.force_login(personas.coord_a)
    for pk in [2**63, 10**30, 2**63 - 1, 0]:
        assert client.get(f"/signalements/{pk}/").status_code == 404, pk


def test_the_intake_form_registers_a_case(client, personas):
    client.force_login(personas.coord_a)
    response = client.post(reverse("cases:intake"), {
        "source": "cnapr", "received_on": "2026-11-02", "facts": "Signalé par le lycée.",
        "person_last_name": "Haddad", "person_first_name": "Inès", "person_birth_date": "2011-05-06",
        "person_sex": "f", "person_commune": "Saint-Denis", "person_situation": "school",
        "relative1_relation": "father", "relative1_last_name": "Haddad", "relative1_first_name": "Karim",
        "relative1_phone": "07 11 22 33 44",
    }, follow=True)
    case = Case.objects.get()
    assert response.redirect_chain[-1][0] == reverse("cases:detail", args=[case.pk])
    assert f"Signalement {case.reference} enregistré." in response.content.decode()
    assert (case.person.first_name, case.relatives.get().first_name, case.state) == ("Inès", "Karim", "received")
    assert case.received_on == datetime.date(2026, 11, 2)


@pytest.mark.parametrize("name", ["member_a", "inspector", "national"])
def test_only_coordinators_register_cases(client, personas, name):
    client.force_login(getattr(personas, name))
    assert client.get(reverse("cases:intake")).status_code == 403
    assert Event.objects.filter(action="access.denied").count() == 1


def test_the_state_diagram_in_docs_is_generated_from_the_code():
    out = StringIO()
    call_command("case_diagram", "--markdown", stdout=out)
    assert (Path(__file__).parents[2] / "docs" / "case-lifecycle.md").read_text() == out.getvalue()


def test_the_referent_filter_offers_the_cellules_members_only(client, personas):
    client.force_login(personas.member_a)
    options = re.search(r'<select class="fr-select" id="referent".*?</select>', client.get(
        reverse("cases:list")).content.decode(), re.S).group(0)
    for name in ("coord_a", "member_a"):
        assert getattr(personas, name).get_full_name() in options
    for name in ("coord_b", "member_b", "former", "inspector"):
        assert getattr(personas, name).get_full_name() not in options, name


@pytest.mark.parametrize("query", ["eloise", "ndiaye", "NDIAYE éloïse", "lefevre n'diaye", "Éloïse N'Diaye-Lefèvre"])
def test_a_name_is_found_without_its_accents_and_punctuation(client, personas, query):
    case = CaseFactory(coordinator=personas.coord_a, person=person_data(last_name="N'Diaye-Lefèvre",
                                                                        first_name="Éloïse"))
    other = CaseFactory(coordinator=personas.coord_a)
    client.force_login(personas.coord_a)
    found = listed(client, q=query)
    assert case.reference in found and other.reference not in found


# The case page's queries for this content: two fewer than before the session's cache and the scope kept with
# it (organisation.session_store, organisation.session_scope), which left 32.
CASE_PAGE_BUDGET = 30


def test_the_case_page_costs_the_same_queries_however_long_its_plan_and_reviews(client, personas):
    """The plan's objectives and actions, the reviews and their progress are shown in a fixed number of queries."""
    from cases.actions import plan
    from tests.cases.factories import progress

    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    client.force_login(personas.coord_a)
    url = reverse("cases:detail", args=[case.pk])
    client.get(url)  # the first read of the case: the ones after are the same

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    measure = case.care_measures.get()
    plan.add_plan_action(personas.member_a, case, objective=case.objectives.get(), what="Inscription",
                         measure=measure, due_on=case.received_on + datetime.timedelta(days=30))
    actions.complete_review(personas.member_a, case, note="Point.", progress=progress(case))
    short = queries()  # one objective, one action, one review
    assert short <= CASE_PAGE_BUDGET
    for domain in ("family", "health", "insertion"):
        objective = plan.add_objective(personas.member_a, case, domain=domain, text=f"Objectif {domain}")
        for what in ("Rendez-vous", "Point d'étape"):
            plan.add_plan_action(personas.member_a, case, objective=objective, what=what, measure=measure,
                                 due_on=case.received_on + datetime.timedelta(days=30))
    for _ in range(3):
        actions.complete_review(personas.member_a, case, note="Point.", progress=progress(case))
    assert queries() == short
