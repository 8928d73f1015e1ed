"""A support group's session (issue 28, point 8): the families offered are those of the cellule's cases
under way, each told apart from a namesake; a closed or transferred case's family is neither offered nor
recorded."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cellule import actions as cellule
from cellule.models import SupportGroup, SupportGroupSession
from tests.cases.factories import CaseFactory, person_data, transferred
from tests.organisation.factories import InstitutionFactory


def url(group) -> str:
    return reverse("support_groups:detail", args=[group.pk])


@pytest.fixture
def cases(personas):
    """Two families Vincent followed, one whose case is closed and one whose case went to the Rhône."""
    def vincent(first_name: str, commune: str, **state):
        return CaseFactory(coordinator=personas.coord_a, referent=personas.member_a,
                           person=person_data(last_name="Vincent", first_name=first_name, commune=commune), **state)

    moved = vincent("Hugo", "Bobigny", in_care=True)
    transferred(personas, moved)
    return {"lucas": vincent("Lucas", "Bobigny", in_care=True), "emma": vincent("Emma", "Montreuil", assigned=True),
            "closed": vincent("Jade", "Bondy", closed=True), "moved": moved}


@pytest.fixture
def group(personas):
    return SupportGroup.objects.create(cell=personas.cell_a, name="Parents en lien", institution=InstitutionFactory(
        name="Association Sauvegarde", category="association", partner=True))


def offered(page: str) -> dict[str, str]:
    """The families' checkboxes of the session form: their label by the case's id."""
    return {value: re.sub(r"\s+", " ", label).strip() for value, label in re.findall(
        r'name="families" value="(\d+)"[^>]*>\s*<label[^>]*>(.*?)</label>', page, re.S)}


def test_the_session_offers_the_families_of_the_cases_under_way_each_told_apart(client, personas, cases, group):
    client.force_login(personas.coord_a)
    families = offered(client.get(url(group)).content.decode())
    assert set(families) == {str(cases["lucas"].pk), str(cases["emma"].pk)}
    lucas, emma = cases["lucas"], cases["emma"]
    assert families[str(lucas.pk)] == f"Famille Vincent (Lucas, Bobigny) — signalement {lucas.reference}"
    assert families[str(emma.pk)] == f"Famille Vincent (Emma, Montreuil) — signalement {emma.reference}"


@pytest.mark.parametrize("which", ["closed", "moved"])
def test_a_closed_or_transferred_cases_family_is_not_recorded(client, personas, cases, group, which):
    client.force_login(personas.coord_a)
    response = client.post(url(group), {"add_session": "", "on": timezone.localdate().isoformat(), "other_parents": 0,
                                        "families": [cases["lucas"].pk, cases[which].pk]})
    assert response.status_code == 400 and "Sélectionnez un choix valide" in response.content.decode()
    with pytest.raises(ValidationError, match=f"{cases[which].reference} est clôturé"):
        cellule.record_support_session(personas.coord_a, group, on=timezone.localdate(),
                                       families=[cases["lucas"], cases[which]])
    assert not SupportGroupSession.objects.exists()
