"""A source retrying while its first call is still running, with real threads on PostgreSQL: one
case, and both calls answered with it. A spreadsheet's preview confirmed twice at once (a double
click, a replay): imported once."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cases.models import Case
from intake.models import Submission
from tests.cases.test_concurrency import at_once
from tests.conftest import build_personas
from tests.intake.conftest import API, new_account, signalement
from tests.intake.test_import import as_csv, row

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]
REPETITIONS = 5
SURNAMES = ["Durand", "Okafor", "Lemaire", "Zhang", "Fofana"]


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


def test_a_preview_confirmed_twice_at_once_imports_once(personas):
    for n in range(REPETITIONS):
        first = Client()
        first.force_login(personas.coord_a)
        second = Client()
        second.force_login(personas.coord_a)  # the same coordinator in another tab, or a replay of the form
        # Another young person each time: a row like an earlier one would wait for the coordinator's choice.
        rows = as_csv(row(**{"Référence à l'origine": "", "Nom": SURNAMES[n]}))
        page = first.post(reverse("intake:import"), {"spreadsheet": SimpleUploadedFile("c.csv", rows, "text/csv")})
        signed = page.content.decode().split('name="rows" value="')[1].split('"')[0]
        answers = at_once(*(lambda client=client, signed=signed: client.post(reverse("intake:confirm"),
                                                                              {"rows": signed}, follow=True)
                            for client in (first, second)))
        assert Case.objects.count() == n + 1
        said = sorted("1 signalement importé." in a.content.decode() for a in answers)
        assert said == [False, True] and any("Cet aperçu a déjà été importé" in a.content.decode() for a in answers)
