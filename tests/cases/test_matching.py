"""The duplicate detection (``cases.matching``): names normalised, the French phonetic key, birth dates
swapped, the département's candidates and, across the country, only the fact that a case exists."""

import datetime

import pytest

from bench.matching import data_set, evaluate
from cases import matching
from cases.models import Person, SearchToken
from cases.names import name_key, phonetic, search_tokens
from tests.cases.factories import CaseFactory, person_data

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

BORN = datetime.date(2010, 3, 4)


@pytest.mark.parametrize("typed, known", [
    ("N'Diaye-Lefèvre", "NDIAYE LEFEVRE"), ("de la Fontaine", "Fontaine (de la)"), ("Le Gall", "LEGALL"),
    ("Éloïse", "eloise"), ("Jean-Baptiste", "Jean Baptiste"), ("Œuvrard", "OEUVRARD"), ("N’Guessan", "N'Guessan"),
])
def test_names_are_compared_without_accents_case_hyphens_apostrophes_or_particle_order(typed, known):
    assert name_key(typed) == name_key(known)


@pytest.mark.parametrize("one, other", [
    ("Lefebvre", "Lefèvre"), ("Mohammed", "Mouhamed"), ("Laurent", "Lorans"), ("Philippe", "Filipe"),
    ("Cécile", "Sécile"), ("Gauthier", "Gautier"), ("Camille", "Kamil"), ("Schmitt", "Chmit"), ("Dubois", "Duboi"),
])
def test_the_french_phonetic_key_hears_the_same_name(one, other):
    assert phonetic(one) == phonetic(other) != ""


@pytest.mark.parametrize("one, other", [("Lucas", "Louis"), ("Martin", "Bernard"), ("Dubois", "Dupont")])
def test_the_phonetic_key_keeps_different_names_apart(one, other):
    assert phonetic(one) != phonetic(other)


def test_a_person_is_found_by_each_word_of_their_names_and_commune():
    assert search_tokens("N'Diaye-Lefèvre", "Éloïse", "Saint-Denis") == {
        "ndiaye", "diaye", "lefevre", "ndiayelefevre", "eloise", "saint", "denis", "saintdenis"}


def test_the_evaluation_reaches_the_goal_on_generated_names():
    """Recall ≥ 0.95 at precision ≥ 0.9 (docs/performance.md) on a small deterministic set
    (``bench/matching.py`` runs a larger one)."""
    figures = evaluate(*data_set(people=600, seed=7))
    assert figures["recall"] >= 0.95 and figures["precision"] >= 0.9, figures
    assert figures["certain_precision"] >= 0.98, figures


@pytest.fixture
def followed(personas):
    return CaseFactory(coordinator=personas.coord_a, person=person_data(
        last_name="N'Diaye-Lefèvre", first_name="Éloïse", birth_date=BORN, sex="f"))


def candidates(departement, last_name="N'Diaye-Lefèvre", first_name="Éloïse", birth_date=BORN):
    return matching.find_candidates(departement, last_name=last_name, first_name=first_name, birth_date=birth_date)


def test_the_same_names_and_birth_date_are_certain(personas, followed):
    [candidate] = candidates(personas.cell_a.departement, "NDIAYE LEFEVRE", "eloise")
    assert candidate.certain and candidate.case == followed and candidate.person == followed.person
    assert candidate.score == 1.0


@pytest.mark.parametrize("last_name, first_name, birth_date", [
    ("Ndiaye", "Eloise", BORN),  # one part of the compound name
    ("N'Diaye-Lefèvre", "Éloïse", datetime.date(2010, 4, 3)),  # day and month swapped
    ("Éloïse", "N'Diaye-Lefèvre", BORN),  # first and last names swapped
    ("N'Diaye-Lefebvre", "Eloïse", BORN),  # spelt as it sounds
    ("N'Diaye-Lefèvre", "Élöise", datetime.date(2011, 3, 4)),  # a typo in the year
])
def test_a_variant_is_a_candidate_but_not_certain(personas, followed, last_name, first_name, birth_date):
    [candidate] = candidates(personas.cell_a.departement, last_name, first_name, birth_date)
    assert candidate.case == followed and not candidate.certain and 0 < candidate.score < 1


@pytest.mark.parametrize("last_name, first_name, birth_date", [
    ("N'Diaye-Lefèvre", "Aminata", BORN),  # her twin sister
    ("N'Diaye-Lefèvre", "Éloïse", datetime.date(2012, 9, 21)),  # a homonym born another day
    ("Martin", "Éloïse", BORN),  # another girl born the same day
])
def test_another_person_is_no_candidate(personas, followed, last_name, first_name, birth_date):
    assert candidates(personas.cell_a.departement, last_name, first_name, birth_date) == []


def test_across_the_country_only_the_departement_and_whom_to_contact_there(personas, followed):
    rhone = personas.cell_b.departement
    assert candidates(rhone) == []
    [there] = matching.elsewhere(rhone, last_name="Ndiaye", first_name="Eloise", birth_date=BORN)
    assert there.departement == personas.cell_a.departement
    assert [m.user for m in there.coordinators] == [personas.coord_a]  # not its members, nor a former one
    assert matching.elsewhere(personas.cell_a.departement, last_name="Ndiaye", first_name="Eloise",
                              birth_date=BORN) == []
    assert matching.elsewhere(rhone, last_name="Martin", first_name="Eloise", birth_date=BORN) == []


def test_the_keys_follow_a_change_of_name(personas, followed):
    person = Person.objects.get(cases=followed)
    person.last_name, person.commune = "Lefèvre", "Montreuil"
    person.save()
    assert person.phonetic_last == phonetic("Lefèvre")
    assert set(SearchToken.objects.filter(person=person).values_list("token", flat=True)) == {
        "lefevre", "eloise", "montreuil"}
    assert candidates(personas.cell_a.departement, "Lefevre", "Eloise")[0].certain
