"""Every page needs login, except the login page (walked from the URL resolver)."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.urls import walk

PUBLIC = {"login"}
URLS = sorted(set(walk()))


def test_the_walk_finds_the_product_and_admin_urls():
    names = {name for _, name in URLS}
    assert {"home", "login", "logout", "cell_detail", "admin:index", "cases:detail"} <= names
    assert len(URLS) > 30


@pytest.mark.parametrize("path,name", URLS)
def test_every_url_needs_login(client, db, path, name):
    for method in (client.get, client.post):
        response = method(path, follow=True)
        assert response.status_code == 200, path
        assert response.resolver_match.url_name == "login", path
        if name not in PUBLIC:
            assert response.redirect_chain, path
            assert urlsplit(response.redirect_chain[-1][0]).path == reverse("login")
