"""The cellule works "en lien avec le Procureur" (note of 19 February 2015): while no active coordinator or
member represents the parquet, the cellule's page and its coordinators' home warn, as the monthly report flags
it, from one rule (``Membership.objects.representing_parquet``)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from organisation.models import Institution
from reporting.figures import Month, compute
from tests.organisation.factories import InstitutionFactory, MembershipFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

WARNING = 'id="parquet-missing"'


@pytest.fixture
def parquet(personas):
    return InstitutionFactory(name="Parquet de Bobigny", category=Institution.Category.JUSTICE,
                              departement=personas.cell_a.departement)


def pages(client, personas) -> dict[str, str]:
    client.force_login(personas.coord_a)
    return {url: client.get(url).content.decode() for url in (reverse("cell_detail", args=["93"]), reverse("home"))}


def reported(personas) -> bool:
    return compute(personas.cell_a, Month.of(timezone.localdate()))["composition"]["parquet_represented"]


def test_the_cellules_page_and_the_coordinators_home_warn_while_no_one_represents_the_parquet(client, personas):
    for url, page in pages(client, personas).items():
        assert WARNING in page, url
        assert "Aucun membre de la cellule ne représente le parquet" in page
    assert f'href="{reverse("cell_detail", args=["93"])}">Compléter la composition' in pages(
        client, personas)[reverse("home")]
    assert not reported(personas)


def test_a_member_of_the_parquet_lifts_the_warning(client, personas, parquet):
    MembershipFactory(cell=personas.cell_a, institution=parquet, function="Substitut du procureur")
    for url, page in pages(client, personas).items():
        assert WARNING not in page, url
    assert reported(personas)


def test_a_parquet_member_who_left_or_another_justice_body_does_not(client, personas, parquet):
    MembershipFactory(cell=personas.cell_a, institution=parquet, ended=True)
    MembershipFactory(cell=personas.cell_a, institution=InstitutionFactory(
        name="PJJ — Direction territoriale", category=Institution.Category.JUSTICE,
        departement=personas.cell_a.departement))
    MembershipFactory(cell=personas.cell_b, institution=InstitutionFactory(
        name="Parquet de Lyon", category=Institution.Category.JUSTICE, departement=personas.cell_b.departement))
    for url, page in pages(client, personas).items():
        assert WARNING in page, url
    assert not reported(personas)


def test_the_warning_follows_the_date_a_parquet_member_leaves(client, personas, parquet):
    today = timezone.localdate()
    MembershipFactory(cell=personas.cell_a, institution=parquet, ends_on=today + datetime.timedelta(days=3))
    assert personas.cell_a.parquet_represented()
    assert not personas.cell_a.parquet_represented(today + datetime.timedelta(days=3))


def test_a_member_reads_the_composition_without_the_coordinators_warning(client, personas):
    client.force_login(personas.member_a)
    assert WARNING not in client.get(reverse("home")).content.decode()
    assert WARNING in client.get(reverse("cell_detail", args=["93"])).content.decode()
