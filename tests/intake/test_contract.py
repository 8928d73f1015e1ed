"""The intake API against its schema (schemathesis): every operation, with data that fits the schema
and data that does not; no answer is a 5xx, each conforms to the schema (status, media type, body,
headers). ``docs/openapi.json`` is the schema the product serves."""

import json
from pathlib import Path

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from intake.management.commands.openapi_schema import schema_text

DOCS = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
MAX_EXAMPLES = 100  # per operation and mode: the module stays well under 30 s on either database

schema = schemathesis.openapi.from_path(DOCS)
schema.config.update(base_url="http://localhost")
schema.config.generation.update(modes=["positive", "negative"], max_examples=MAX_EXAMPLES, deterministic=True)
schema.app = WSGIHandler()  # in process, on the test database
# A body the schema accepts may still break a rule it cannot express (the age at reception, a date
# in the future, a key already used for another body): the entry point answers 422, by design.
EXCLUDED = [positive_data_acceptance]


def test_the_schema_in_the_repository_is_the_one_served(client, db):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    assert served.json() == json.loads(DOCS.read_text()), (
        "docs/openapi.json a changé : DEMO=1 .venv/bin/python manage.py openapi_schema > docs/openapi.json")
    assert DOCS.read_text() == schema_text()


@pytest.fixture
def token(personas, settings):
    settings.INTAKE_API_CALLS_PER_MINUTE = 10_000  # the limit is tested elsewhere
    # As Django's test client does: a request's end must not close the test's connection (and its transaction).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield personas.token
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_contract(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=EXCLUDED)
