"""Partner institutions belong to a département, national bodies to none."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection

from organisation import actions
from organisation.forms import AddForm
from organisation.models import Departement, Institution, Membership, Role
from tests.organisation.factories import InstitutionFactory, MembershipFactory

fill = importlib.import_module("organisation.migrations.0005_institution_departement").fill


def test_the_migration_gives_existing_institutions_the_departement_their_name_or_members_say(personas):
    by_code = InstitutionFactory(name="Association de prévention — Ain (01)", category="association")
    by_name = InstitutionFactory(name="Préfecture du Rhône")
    by_longest_name = InstitutionFactory(name="Préfecture des Bouches-du-Rhône")
    by_members = InstitutionFactory(name="Association Sauvegarde 93", category="association")
    MembershipFactory(cell=personas.cell_a, institution=by_members)
    national = InstitutionFactory(name="Équipe mobile d'intervention", category="national_provider")
    unknown = InstitutionFactory(name="Inspection générale de l'administration")
    fill(apps, SimpleNamespace(connection=connection))
    found = {i.name: i.departement.code if i.departement else None for i in Institution.objects.filter(pk__in=[
        by_code.pk, by_name.pk, by_longest_name.pk, by_members.pk, national.pk, unknown.pk])}
    assert found == {by_code.name: "01", by_name.name: "69", by_longest_name.name: "13", by_members.name: "93",
                     national.name: None, unknown.name: None}


def test_the_membership_form_offers_the_cellules_departement_and_the_national_bodies(personas):
    InstitutionFactory(name="Parquet de Lyon", departement=Departement.objects.get(code="69"))
    InstitutionFactory(name="Parquet de Bobigny", departement=Departement.objects.get(code="93"))
    InstitutionFactory(name="CIPDR — Secrétariat général")
    offered = {i.name for i in AddForm(roles=[Role.MEMBER], cell=personas.cell_a).fields["institution"].queryset}
    assert {"Parquet de Bobigny", "CIPDR — Secrétariat général"} <= offered
    assert "Parquet de Lyon" not in offered


def test_the_composition_page_offers_them_and_the_entry_point_refuses_another_departements(client, personas):
    lyon = InstitutionFactory(name="Parquet de Lyon", departement=Departement.objects.get(code="69"))
    client.force_login(personas.coord_a)
    page = client.get(f"/cellules/{personas.cell_a.departement.code}/").content.decode()
    assert "Parquet de Lyon" not in page
    joining = Membership(user=personas.outsider, cell=personas.cell_a, institution=lyon, function="Substitut",
                         role=Role.MEMBER, starts_on=personas.cell_a.installed_on)
    with pytest.raises(ValidationError, match="autre département"):
        actions.save_membership(personas.coord_a, joining)
    assert not Membership.objects.filter(user=personas.outsider, cell=personas.cell_a).exists()
