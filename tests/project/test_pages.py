"""Each role reaches its home page; the menu marks where the user is; cellule pages are scoped; the
admin is the admin's only."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import Event
from organisation.models import Institution
from tests.cases.factories import CaseFactory
from tests.mobile_team.factories import mobile_request

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

HOME_TEXT = {
    "coord_a": "Aucun signalement en cours.",
    "member_a": "Aucune tâche à traiter ; aucune dans la file de l&#x27;équipe.",
    "mobile": "Demandes d'intervention",
    "inspector": "Mandat IGA-TEST-",
    "national": "1 cellule installée sur 107 départements et collectivités",
    "admin": "Administration technique",
}


@pytest.mark.parametrize("name,text", HOME_TEXT.items())
def test_each_role_reaches_its_home_page(client, personas, name, text):
    personas.cell_b.installed_on = None
    personas.cell_b.save()
    user = getattr(personas, name)
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    assert text in page
    assert user.get_full_name() in page


def test_the_header_names_the_user_role_and_cellule(client, personas):
    client.force_login(personas.coord_a)
    page = client.get(reverse("home")).content.decode()
    assert f"{personas.coord_a.get_full_name()} — Coordination de la cellule, cellule 93 — Seine-Saint-Denis" in page
    assert "Disponible prochainement" not in page  # no panel is a placeholder


def test_the_composition_shows_the_active_members_of_the_cell_only(client, personas):
    client.force_login(personas.member_a)
    page = client.get(reverse("home")).content.decode()
    assert personas.coord_a.get_full_name() in page
    assert personas.former.get_full_name() not in page
    assert personas.coord_b.get_full_name() not in page


@pytest.mark.parametrize("name", ["outsider", "former"])
def test_a_user_without_an_active_role_sees_nothing(client, personas, name):
    client.force_login(getattr(personas, name))
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "Aucun accès en cours" in response.content.decode()


def test_a_cellule_page_is_shown_to_its_members(client, personas):
    client.force_login(personas.member_a)
    response = client.get(reverse("cell_detail", args=["93"]))
    assert response.status_code == 200
    assert personas.coord_a.get_full_name() in response.content.decode()


@pytest.mark.parametrize("name", ["coord_b", "member_b", "mobile", "outsider"])
def test_another_departements_cellule_answers_404_and_is_recorded(client, personas, name):
    user = getattr(personas, name)
    client.force_login(user)
    response = client.get(reverse("cell_detail", args=["93"]))
    assert response.status_code == 404
    assert personas.coord_a.get_full_name() not in response.content.decode()
    denied = Event.objects.get(action="access.denied")
    assert (denied.actor, denied.object_type, denied.departement) == (user, "organisation.cell", "93")


def test_an_unknown_cellule_answers_404_without_denial(client, personas):
    client.force_login(personas.coord_a)
    assert client.get(reverse("cell_detail", args=["2A"])).status_code == 404
    assert not Event.objects.filter(action="access.denied").exists()


def test_the_admin_creates_reference_data_through_the_audited_entry_point(client, personas):
    client.force_login(personas.admin)
    assert client.get(reverse("admin:index")).status_code == 200
    add = reverse("admin:organisation_institution_add")
    response = client.post(add, {"name": "Mission locale", "category": "association"})
    assert response.status_code == 302
    assert Event.objects.get(action="institution.create").actor == personas.admin
    institution = Institution.objects.get(name="Mission locale")
    delete = client.post(reverse("admin:organisation_institution_delete", args=[institution.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert Institution.objects.filter(pk=institution.pk).exists()


@pytest.mark.parametrize("name", ["coord_a", "inspector", "national"])
def test_the_admin_site_refuses_other_roles(client, personas, name):
    client.force_login(getattr(personas, name))
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403
    assert Event.objects.get(action="access.denied").actor == getattr(personas, name)


@pytest.mark.parametrize("url", ["/connexion/", "/mot-de-passe/x/y/", "/mot-de-passe/enregistre/"])
def test_the_pages_open_without_a_session_are_ours_not_viewflows_or_the_admins(client, db, url):
    """viewflow and the admin ship templates of the same names: the product's own come first."""
    response = client.get(url)
    assert response.status_code == 200
    assert "/project/templates/registration/" in response.templates[0].origin.name
    assert "Cellule de suivi" in response.content.decode()


def test_the_mobile_teams_home_counts_the_requests_by_what_they_wait_for(client, personas):
    client.force_login(personas.mobile)
    client.get(reverse("home"))  # the session and the rights, cached
    with CaptureQueriesContext(connection) as empty:
        page = client.get(reverse("home")).content.decode()
    assert "Aucune demande en attente de réponse, aucune acceptée à planifier, aucune intervention planifiée." in page
    for status in ("requested", "accepted", "accepted", "scheduled", "completed"):
        mobile_request(personas.coord_a, personas.mobile, status)
    with CaptureQueriesContext(connection) as full:
        page = client.get(reverse("home")).content.decode()
    assert "1 demande en attente de réponse, 2 acceptées à planifier, 1 intervention planifiée." in page
    assert len(full.captured_queries) == len(empty.captured_queries)  # one query, however many requests


@pytest.mark.parametrize("name,args,current", [
    ("home", [], "Accueil"),
    ("cases:list", [], "Signalements"),
    ("cases:intake", [], "Signalements"),
    ("workflows:queue", [], "Tâches"),
    ("meetings:list", [], "Réunions"),
    ("reports:list", [], "Comptes rendus mensuels"),
    ("cell_detail", ["93"], "Ma cellule"),
    ("legal:sitemap", [], None),
])
def test_the_menu_marks_the_current_section(client, personas, name, args, current):
    client.force_login(personas.coord_a)
    page = client.get(reverse(name, args=args)).content.decode()
    marked = re.findall(r'<a class="fr-nav__link" href="[^"]*" aria-current="page">([^<]*)</a>', page)
    assert marked == ([current] if current else [])


def test_every_cell_of_the_main_lists_names_its_column_for_the_phone_cards(client, personas):
    CaseFactory(coordinator=personas.coord_a)
    client.force_login(personas.coord_a)
    for url in (reverse("cases:list"), reverse("workflows:queue")):
        body = client.get(url).content.decode().split("<tbody>")[1].split("</tbody>")[0]
        cells = re.findall(r"<td[^>]*>", body)
        assert cells and all("data-label=" in cell for cell in cells), (url, cells)


def test_the_national_home_leads_to_the_mobile_teams_aggregates(client, personas):
    client.force_login(personas.national)
    link = reverse("mobile_team:dashboard")
    assert f'href="{link}"' in client.get(reverse("home")).content.decode()
    assert client.get(link).status_code == 200
