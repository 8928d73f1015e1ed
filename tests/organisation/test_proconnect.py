"""Signing in through ProConnect, optional: an existing, active account with the same address, and
no other; nothing is created or changed from the provider's claims."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from organisation.proconnect import ProConnectBackend
from tests.organisation.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
OIDC = {"OIDC_RP_CLIENT_ID": "cellule", "OIDC_RP_CLIENT_SECRET": "secret", "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://fournisseur.invalid/api/v2/authorize",
        "OIDC_OP_TOKEN_ENDPOINT": "https://fournisseur.invalid/api/v2/token",
        "OIDC_OP_USER_ENDPOINT": "https://fournisseur.invalid/api/v2/userinfo",
        "OIDC_OP_JWKS_ENDPOINT": "https://fournisseur.invalid/api/v2/jwks", "OIDC_CREATE_USER": False}


@pytest.fixture
def backend(settings, monkeypatch):
    for name, value in OIDC.items():
        setattr(settings, name, value)
    backend = ProConnectBackend()
    monkeypatch.setattr(backend, "get_userinfo", lambda *args: backend.claims)
    return backend


def signed_in(backend, email: str):
    backend.claims = {"sub": "abc", "email": email, "given_name": "Autre", "usual_name": "Nom"}
    return backend.get_or_create_user("jeton", "id", {})


def test_the_account_with_the_same_address_is_signed_in_unchanged(db, backend):
    agent = UserFactory(email="Claire.Martin@interieur.gouv.fr", first_name="Claire")
    assert signed_in(backend, "claire.martin@interieur.gouv.fr") == agent
    agent.refresh_from_db()
    assert agent.first_name == "Claire"  # the provider's names change nothing
    assert backend.get_all_permissions(agent) == set()


@pytest.mark.parametrize("case", ["unknown", "inactive", "shared"])
def test_no_other_account_is_signed_in_nor_created(db, backend, case):
    if case == "inactive":
        UserFactory(email="agent@interieur.gouv.fr", is_active=False)
    if case == "shared":
        UserFactory(email="agent@interieur.gouv.fr")
        UserFactory(email="AGENT@interieur.gouv.fr")
    before = User.objects.count()
    assert signed_in(backend, "agent@interieur.gouv.fr") is None
    assert User.objects.count() == before


def test_the_login_page_offers_proconnect_only_when_configured(client, db, settings):
    assert 'id="proconnect"' not in client.get(reverse("login")).content.decode()
    settings.PROCONNECT, settings.ROOT_URLCONF = True, "tests.organisation.urls_proconnect"
    page = client.get(reverse("login")).content.decode()
    assert 'id="proconnect"' in page and reverse("oidc_authentication_init") in page


@pytest.mark.parametrize("env,fails", [({"PROCONNECT_CLIENT_ID": "cellule"}, True),
                                       ({"PROCONNECT_CLIENT_ID": "cellule", "PROCONNECT_CLIENT_SECRET": "s",
                                         "PROCONNECT_URL": "https://fournisseur.invalid/api/v2"}, False)])
def test_a_half_configured_proconnect_stops_start_up(env, fails):
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True,
                            env={"PATH": os.environ["PATH"], "DEMO": "1", **env}, timeout=120)
    assert (result.returncode != 0) is fails
    if fails:
        assert "PROCONNECT_CLIENT_SECRET : obligatoire" in result.stderr
