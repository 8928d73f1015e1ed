"""The footer's legal pages: each link leads to the product's own page, open without
a session and before the second factor, saying what the law asks and what this instance's settings give."""

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.project.html import elements

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

FOOTER = {"legal:sitemap": "Plan du site", "legal:accessibility": "Accessibilité : non conforme",
          "legal:notice": "Mentions légales", "legal:personal_data": "Données personnelles",
          "legal:cookies": "Gestion des cookies"}


def links(page: str) -> list[str]:
    """The page's links to other pages (the skip links excluded)."""
    return [found["href"] for found in elements(page, "a", **{"class": "fr-link"}) if found["href"][0] != "#"]


def footer_links(page: str) -> list[str]:
    return [found.get("href", "") for found in elements(page, "a", **{"class": "fr-footer__bottom-link"})]


def test_the_footer_links_to_each_legal_page(client, db):
    page = client.get(reverse("login")).content.decode()
    assert footer_links(page) == [reverse(name) for name in FOOTER]
    for name, label in FOOTER.items():
        assert f'href="{reverse(name)}">{label}</a>' in page


@pytest.mark.parametrize("name", FOOTER)
def test_each_legal_page_opens_without_a_session(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "/project/templates/legal/" in response.templates[0].origin.name
    assert footer_links(response.content.decode()) == [reverse(n) for n in FOOTER]


@pytest.mark.parametrize("name", FOOTER)
def test_each_legal_page_opens_before_the_second_factor(client, personas, settings, name):
    settings.SECOND_FACTOR_REQUIRED = True
    client.force_login(personas.coord_a)
    assert client.get(reverse("home")).status_code == 302  # the second factor is asked for elsewhere
    assert client.get(reverse(name)).status_code == 200


def test_the_accessibility_statement_gives_its_status_the_way_to_report_and_the_recourse(client, db, settings):
    settings.ACCESSIBILITY_CONTACT = "accessibilite@pref-93.example"
    page = client.get(reverse("legal:accessibility")).content.decode()
    assert "<strong>non conforme</strong>" in page and "aucun audit de conformité n'a encore été réalisé" in page
    assert "Contenus non accessibles" in page
    assert "contactez accessibilite@pref-93.example" in page
    assert "Défenseur des droits" in page and "Libre réponse 71120" in page


def test_the_legal_notice_names_the_publisher_and_the_host_of_this_instance(client, db, settings):
    page = client.get(reverse("legal:notice")).content.decode()
    assert "Ministère de l&#x27;Intérieur" in page and "LEGAL_HOSTING" in page  # the host is not given yet
    settings.LEGAL_HOSTING = "Centre serveur du ministère, Osny"
    page = client.get(reverse("legal:notice")).content.decode()
    assert "Centre serveur du ministère, Osny" in page and "LEGAL_HOSTING" not in page


def test_the_personal_data_notice_describes_the_processing(client, db, settings):
    settings.DPO_CONTACT = "dpd@interieur.example"
    page = client.get(reverse("legal:personal_data")).content.decode()
    for heading in ("Finalité", "Base légale", "Données traitées", "Destinataires", "Durée de conservation",
                    "Vos droits", "Délégué à la protection des données"):
        assert f"<h2>{heading}</h2>" in page
    assert "note aux préfets du 19 février 2015" in page
    assert "Signalement clôturé : 5 ans après la clôture." in page  # retention/periods.py, from the settings
    settings.RETENTION_CLOSED_FROM, settings.RETENTION_CLOSED_YEARS = "majority", 3
    assert "3 ans après la clôture ou, si elle est plus tardive, la majorité du jeune" in client.get(
        reverse("legal:personal_data")).content.decode()
    assert "auprès de la Commission nationale de l'informatique et des libertés (CNIL)" in page
    assert '<p id="dpo">dpd@interieur.example</p>' in page
    assert len(elements(page, "th", scope="row")) == 6  # the recipients, one row per role


def test_the_cookies_page_names_every_cookie_the_product_sets(client, personas):
    page = client.get(reverse("legal:cookies")).content.decode()
    client.post(reverse("login"), {"username": "coord_a", "password": PASSWORD})
    # The confirmations shown after an action (django.contrib.messages) travel in a cookie of their own.
    set_by_the_product = set(client.cookies) | {CookieStorage.cookie_name}
    assert {"sessionid", "csrftoken"} <= set_by_the_product
    for name in set_by_the_product:
        assert f"<code>{name}</code>" in page
    assert "aucun cookie de mesure d'audience" in page


def test_the_site_map_lists_the_pages_a_visitor_reaches(client, db):
    page = client.get(reverse("legal:sitemap")).content.decode()
    hrefs = links(page)
    assert hrefs[0] == reverse("login")
    assert set(hrefs[1:]) == {reverse(name) for name in FOOTER} - {reverse("legal:sitemap")}


@pytest.mark.parametrize("name,reached,not_reached", [
    ("coord_a", ["cases:list", "workflows:inbox", "meetings:list", "reports:list"], ["mobile_team:queue"]),
    ("member_a", ["cases:list", "workflows:inbox"], ["reports:list", "national:view"]),
    ("mobile", ["mobile_team:queue", "mobile_team:dashboard"], ["cases:list"]),
    ("inspector", ["cases:list", "inspection:search"], ["workflows:inbox"]),
    ("national", ["national:view", "mandates"], ["cases:list"]),
])
def test_the_site_map_lists_the_pages_of_the_users_role(client, personas, name, reached, not_reached):
    client.force_login(getattr(personas, name))
    page = client.get(reverse("legal:sitemap")).content.decode()
    listed = set(links(page))
    assert {reverse("home")} | {reverse(n) for n in reached} <= listed
    assert not listed & {reverse(n) for n in not_reached}
    assert reverse("login") not in listed
