"""Every page needs login, except the login page and a few others (walked from the URL resolver)."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.urls import walk

# The login page, the pages of an invitation link (protected by its one-time token), the footer's legal pages.
PUBLIC = {"login", "password_reset_confirm", "password_reset_complete", "legal:sitemap", "legal:accessibility",
          "legal:notice", "legal:personal_data", "legal:cookies", "health", "intake_api:openapi-json"}
# The intake API: a token, never a session; without one, a problem detail (no login page).
TOKEN = {"intake_api:api-root", "intake_api:submit", "intake_api:status", "intake_api:unknown"}
URLS = sorted(set(walk()))


def test_the_walk_finds_the_product_and_admin_urls():
    names = {name for _, name in URLS}
    assert {"home", "login", "logout", "cell_detail", "admin:index", "cases:detail"} <= names
    assert len(URLS) > 30


@pytest.mark.parametrize("path,name", URLS)
def test_every_url_needs_login(client, db, path, name):
    for method in (client.get, client.post):
        response = method(path, follow=True)
        if name in TOKEN:
            assert response.status_code in (401, 404, 405), path
            assert response["Content-Type"] == "application/problem+json", path
            continue
        if name in PUBLIC:
            assert response.status_code in (200, 405), path  # a GET-only page answers a POST with 405
            continue
        assert response.status_code == 200, path
        assert response.resolver_match.url_name == "login", path
        assert response.redirect_chain, path
        assert urlsplit(response.redirect_chain[-1][0]).path == reverse("login")
