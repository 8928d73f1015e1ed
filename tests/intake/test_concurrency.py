"""A source retrying while its first call is still running, with real threads on PostgreSQL: one
case, and both calls answered with it."""

import json

import pytest
from django.test import Client

from cases.models import Case
from intake.models import Submission
from tests.cases.test_concurrency import at_once
from tests.conftest import build_personas
from tests.intake.conftest import API, new_account, signalement

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]
REPETITIONS = 5


@pytest.fixture
def personas(transactional_db):  # not the module's shared ones: this test commits
    return build_personas()


def test_twin_calls_make_one_case(personas):
    _, token = new_account()
    for n in range(REPETITIONS):
        young = {**signalement()["young_person"], "birth_date": f"2010-0{n + 1}-17"}  # another young person each time
        body = json.dumps(signalement(source_reference=f"CNAPR-{n}", young_person=young))

        def call(key: str, body=body):
            return Client().post(API, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
                                 HTTP_IDEMPOTENCY_KEY=key)

        # The same key, then the same source reference under two keys: each time one case.
        first, second = at_once(lambda n=n: call(f"cle-{n}"), lambda n=n: call(f"cle-{n}"))
        third, fourth = at_once(lambda n=n: call(f"autre-{n}"), lambda n=n: call(f"encore-{n}"))
        assert {r.status_code for r in (first, second, third, fourth)} == {201}, [first.content, second.content]
        assert first.content == second.content == third.content == fourth.content
    assert Case.objects.count() == Submission.objects.count() == REPETITIONS
