"""The demo's overseas cellule (issue 29, point 3): New Caledonia's, made once, its coordinator signs in
with the demo's password and works in it under the haut-commissaire's title."""

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from cases.models import Case
from demo.charter import accept_demo_charter
from demo.overseas import create_demo_overseas
from organisation.models import Cell


def test_new_caledonias_cellule_is_made_once_and_its_coordinator_works_in_it(db):
    create_demo_overseas("mot-de-passe-demo")
    create_demo_overseas("mot-de-passe-demo")  # seed_demo runs again: nothing twice
    accept_demo_charter()  # as seed_demo does last
    cell = Cell.objects.get(departement__code="988")
    cases = Case.objects.filter(departement=cell.departement).order_by("number")
    assert len(cases) == 2 and all(case.reference == f"988-{case.year}-{case.number:04d}" for case in cases)
    assert [case.state for case in cases] == ["assigned", "received"]
    coordinator = User.objects.get(username="coord988")
    assert coordinator.check_password("mot-de-passe-demo")
    client = Client()
    client.force_login(coordinator)
    page = client.get(reverse("cell_detail", args=["988"])).content.decode()
    assert "Présidence : Haut-commissaire de la République en Nouvelle-Calédonie" in page
    assert "Pacific/Noumea" in page
    listed = client.get(reverse("cases:list")).content.decode()
    assert all(case.reference in listed for case in cases)
