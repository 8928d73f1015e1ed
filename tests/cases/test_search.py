"""The search over cases: by reference, names (normalised as the duplicate detection does), commune
and the source's file number; scoped by the policy, recorded as a read, answered from an index."""

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import Event
from cases.models import Case
from tests.cases.factories import CaseFactory, person_data

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


def found(client, q: str) -> str:
    response = client.get(reverse("cases:list"), {"q": q})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def eloise(personas):
    return CaseFactory(coordinator=personas.coord_a, source_reference="CNAPR-2026-0042", person=person_data(
        last_name="N'Diaye-Lefèvre", first_name="Éloïse", sex="f", commune="Saint-Denis"))


@pytest.fixture
def others(personas):
    return [CaseFactory(coordinator=personas.coord_a, person=person_data(last_name="Diallo", commune="Bobigny")),
            CaseFactory(coordinator=personas.coord_b, person=person_data(last_name="Ndiaye", first_name="Eloise"))]


@pytest.mark.parametrize("q", ["ndiaye eloise", "NDIAYE", "eloïse n'diaye", "lefev", "diaye", "ndiayelefevre",
                               "saint-denis", "denis eloise", "CNAPR-2026-0042", "93-2026-000"])
def test_a_coordinator_finds_the_case(client, personas, eloise, others, q):
    client.force_login(personas.coord_a)
    page = found(client, q)
    assert eloise.reference in page and others[1].reference not in page  # the Rhône's Éloïse Ndiaye: never
    if q != "93-2026-000":
        assert others[0].reference not in page


@pytest.mark.parametrize("q", ["eloise martin", "bobigny eloise", "CNAPR-2026", "zz", "'; --", "%", "_", "zz\x00"])
def test_nothing_else_matches(client, personas, eloise, q):
    client.force_login(personas.coord_a)
    assert eloise.reference not in found(client, q)


def test_a_member_finds_no_case_by_a_name_they_would_open_with_a_motive(client, personas, eloise):
    theirs = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True,
                         person=person_data(last_name="Ndiaye", first_name="Moussa"))
    client.force_login(personas.member_a)
    page = found(client, "ndiaye")
    assert theirs.reference in page and eloise.reference not in page


def test_the_search_is_recorded_as_a_read(client, personas, eloise):
    client.force_login(personas.coord_a)
    found(client, "ndiaye eloise")
    event = Event.objects.get(action="case.list")
    # The cases shown, not the name typed: a name never stands in the trail; a reference does.
    assert event.details == {"filtres": {"q": "(nom ou commune, non conservé au journal)"},
                             "signalements": [eloise.reference]}
    found(client, eloise.reference)
    assert Event.objects.filter(action="case.list").latest("id").details["filtres"] == {"q": eloise.reference}


def test_the_name_is_looked_up_by_index(personas, eloise):
    """The plan of a name search: each word by prefix on the index of the département's tokens, then
    the cases of the people found; no table read whole (on PostgreSQL, with the scans of whole tables priced
    out of the planner's choice, as at national size; the plan there: ``docs/performance.md``)."""
    query = Case.objects.visible_to(personas.coord_a).search("ndiaye eloise", user=personas.coord_a)
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = "\n".join(str(row) for row in cursor.fetchall())
    assert "Seq Scan" not in plan and "SCAN cases_" not in plan and "SCAN U" not in plan, plan
    # The words of the user's départements, by prefix, on the index that starts with the département.
    assert "search_token_departement" in plan and ("token>?" in plan or "token >=" in plan
                                                   or "token)::text >=" in plan), plan
    assert list(query) == [eloise]


def test_the_words_follow_the_young_person_s_departement(personas, eloise):
    """The tokens carry the young person's département, which the search looks them up by: whatever
    changes a record's département (a transfer copies the record instead, today) moves its words too."""
    from cases.models import SearchToken

    person = eloise.person
    assert set(SearchToken.objects.filter(person=person).values_list("departement", flat=True)) == {
        personas.cell_a.departement_id}
    person.departement = personas.cell_b.departement
    person.save()
    assert set(SearchToken.objects.filter(person=person).values_list("departement", flat=True)) == {
        personas.cell_b.departement_id}
    eloise.departement = personas.cell_b.departement
    eloise.save(update_fields=["departement"])
    assert list(Case.objects.visible_to(personas.coord_b).search("ndiaye", user=personas.coord_b)) == [eloise]
    assert list(Case.objects.visible_to(personas.coord_a).search("ndiaye", user=personas.coord_a)) == []
