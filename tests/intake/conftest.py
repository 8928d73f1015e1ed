"""The intake's fixtures: personas built once per module, a CNAPR account of the Seine-Saint-Denis."""

import datetime
import json

import pytest
from django.utils import timezone

from intake import actions
from intake.models import ServiceAccount
from organisation.models import Departement
from organisation.policy import SYSTEM
from tests.conftest import build_personas, built_once, forget_cached_rights

API = "/api/v1/signalements"


def signalement(**overrides) -> dict:
    """A valid body of ``POST /api/v1/signalements``."""
    received = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    return {
        "source_reference": "CNAPR-2026-00042", "received_on": received,
        "facts": "Appel d'un parent au numéro vert : propos de rupture et isolement depuis deux mois.",
        "orientation_note": "Orientation vers la cellule pour un accompagnement de la famille.",
        "young_person": {"last_name": "N'Diaye-Lefèvre", "first_name": "Éloïse", "birth_date": "2010-05-17",
                         "sex": "f", "commune": "Montreuil", "situation": "school"},
        "relatives": [{"relation": "mother", "last_name": "N'Diaye", "first_name": "Awa",
                       "phone": "06 12 34 56 78", "email": "awa.ndiaye@example.org", "parental_authority": True}],
        **overrides,
    }


def post(client, token: str | None, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    if token is not None:
        headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {token}")
    return client.post(API, data=data, content_type="application/json", **headers)


def new_account(code: str = "93", name: str = "cnapr-93", source: str = "cnapr",
                **kwargs) -> tuple[ServiceAccount, str]:
    return actions.create_account(SYSTEM, name=name, source=source, departement=Departement.objects.get(code=code),
                                  **kwargs)


@pytest.fixture(scope="module")
def people(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker):
        people = build_personas()
        people.account, people.token = new_account()
        people.account_b, people.token_b = new_account("69", "cnapr-69")
        people.ems, people.token_ems = new_account("93", "ems-93", "ems")
        yield people


@pytest.fixture
def personas(people, db):
    forget_cached_rights(people)
    return people
