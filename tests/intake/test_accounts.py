"""The sources' service accounts: who creates and revokes them, their token (shown once, kept as a
digest, refused once revoked or expired), the rate limit, the demo's account and the README's example."""

import datetime
import io
import json
import re
import shlex
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.utils import timezone

from audit.models import Event
from cases.models import Case
from intake import actions, demo, tokens
from intake.models import ServiceAccount
from organisation.models import Departement
from organisation.policy import AccessDenied
from tests.intake.conftest import API, post, signalement

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_administrator_creates_an_account_whose_token_is_kept_as_a_digest(client, personas):
    account, token = actions.create_account(personas.admin, name="ems-69", source="ems",
                                            departement=Departement.objects.get(code="69"))
    assert account.name == "api:ems-69" and account.created_by == "admin"
    stored = [str(value) for value in ServiceAccount.objects.filter(pk=account.pk).values().get().values()]
    secret = tokens.parse(token)[1]  # a secret may hold "_" itself: split by the token's own pattern
    assert not any(token in value or secret in value for value in stored)
    event = Event.objects.get(action="intake.account_create", object_id=str(account.pk))
    assert event.actor == personas.admin and event.departement == "69" and token not in json.dumps(event.details)
    assert post(client, token, signalement()).status_code == 201
    assert Case.objects.get().departement.code == "69"


@pytest.mark.parametrize("who", ["coord_a", "member_a", "national", "inspector", "mobile", "outsider"])
def test_nobody_else_manages_accounts(personas, who):
    with pytest.raises(AccessDenied):
        actions.create_account(getattr(personas, who), name="x-93", source="cnapr",
                               departement=Departement.objects.get(code="93"))
    with pytest.raises(AccessDenied):
        actions.revoke_account(getattr(personas, who), personas.account)
    assert not ServiceAccount.objects.filter(name="api:x-93").exists() and personas.account.usable


@pytest.mark.parametrize(("name", "days"), [("", None), ("CNAPR 93", None), ("a:b", None), ("x" * 80, None),
                                            ("cnapr-93", None), ("ok-93", 0), ("ok-93", 5000)])
def test_a_bad_name_or_duration_is_refused(personas, name, days):
    with pytest.raises(ValidationError):
        actions.create_account(personas.admin, name=name, source="cnapr", days=days,
                               departement=Departement.objects.get(code="93"))


def test_a_fixed_token_exists_in_demo_mode_only(personas, settings):
    settings.DEMO = False
    with pytest.raises(ValidationError, match="démonstration"):
        actions.create_account(personas.admin, name="fixe-93", source="cnapr", token=demo.DEMO_TOKEN,
                               departement=Departement.objects.get(code="93"))
    with pytest.raises(ImproperlyConfigured):
        demo.create_demo_intake()
    assert not ServiceAccount.objects.filter(key_id="demoCNAPR093").exists()


def test_the_operators_command_creates_lists_and_revokes(client, personas):
    out = io.StringIO()
    call_command("service_account", "create", "--name", "cnapr-2a", "--source", "cnapr", "--departement", "93",
                 "--days", "30", stdout=out)
    token = re.search(r"cds_\S+", out.getvalue())[0]
    assert post(client, token, signalement()).status_code == 201
    listing = io.StringIO()
    call_command("service_account", "list", stdout=listing)
    assert "api:cnapr-2a" in listing.getvalue() and token not in listing.getvalue()
    call_command("service_account", "revoke", "--name", "cnapr-2a", stdout=io.StringIO())
    response = client.get(f"{API}/CNAPR-2026-00042", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401 and "révoqué" in response.json()["detail"]
    events = Event.objects.filter(action__in=["intake.account_create", "intake.account_revoke"],
                                  details__compte="api:cnapr-2a")
    assert [(e.action, e.actor, e.actor_label) for e in events.order_by("pk")] == [
        ("intake.account_create", None, "commande service_account"),
        ("intake.account_revoke", None, "commande service_account")]


def test_an_expired_token_is_refused(client, personas):
    ServiceAccount.objects.filter(pk=personas.account.pk).update(expires_at=timezone.now())
    response = post(client, personas.token, signalement())
    assert response.status_code == 401 and "expiré" in response.json()["detail"]
    refused = Event.objects.get(action="intake.api_call")
    assert refused.actor_label == "api:cnapr-93" and refused.details["statut"] == 401


def test_the_rate_limit_answers_429_with_retry_after(client, personas, settings):
    settings.INTAKE_API_CALLS_PER_MINUTE = 2
    with time_at(second=10):
        answers = [client.get(f"{API}/inconnue", HTTP_AUTHORIZATION=f"Bearer {personas.token}") for _ in range(3)]
        other = client.get(f"{API}/inconnue", HTTP_AUTHORIZATION=f"Bearer {personas.token_b}")
    assert [a.status_code for a in answers] == [404, 404, 429] and other.status_code == 404
    assert answers[2]["Retry-After"] == "50" and answers[2]["Content-Type"] == "application/problem+json"
    assert "réessayez dans 50 secondes" in answers[2].json()["detail"]
    with time_at(second=10, minutes_later=1):
        assert client.get(f"{API}/inconnue", HTTP_AUTHORIZATION=f"Bearer {personas.token}").status_code == 404


def time_at(second: int, minutes_later: int = 0):
    import time_machine

    moment = timezone.now().replace(second=second, microsecond=0) + datetime.timedelta(minutes=minutes_later)
    return time_machine.travel(moment, tick=False)


def test_the_demo_has_the_cnapr_account_and_a_signalement_received_through_it(client, personas):
    ServiceAccount.objects.filter(pk=personas.account.pk).update(name="api:autre")  # the fixture's took the name
    account = demo.create_demo_intake()
    assert demo.create_demo_intake() is None  # once
    assert (account.name, account.source, account.departement.code) == ("api:cnapr-93", "cnapr", "93")
    response = client.get(f"{API}/CNAPR-DEMO-0001", HTTP_AUTHORIZATION=f"Bearer {demo.DEMO_TOKEN}")
    assert response.status_code == 200 and response.json()["state_label"] == "Reçu par la cellule"
    assert Event.objects.get(action="case.intake").actor_label == "api:cnapr-93"


def readme_commands() -> list[list[str]]:
    """The README's curl commands, as the shell splits them."""
    text = README.read_text()
    block = text[text.index("## Signalements reçus par API"):]
    block = block[block.index("```sh\ncurl"):]
    words = shlex.split(block[6:block.index("```", 6)].replace("\\\n", " "))
    starts = [i for i, word in enumerate(words) if word == "curl"] + [len(words)]
    return [words[start:end] for start, end in zip(starts, starts[1:], strict=False)]


def test_the_readmes_curl_example_works_with_the_demo_token(client, personas):
    ServiceAccount.objects.filter(pk=personas.account.pk).update(name="api:autre")
    demo.create_demo_intake()
    create, read = readme_commands()
    headers = dict(create[i + 1].split(": ", 1) for i, arg in enumerate(create) if arg == "-H")
    assert headers["Authorization"] == f"Bearer {demo.DEMO_TOKEN}"
    body = create[create.index("-d") + 1]
    response = client.post(create[create.index("-X") + 2].removeprefix("http://127.0.0.1:8000"), data=body,
                           content_type=headers["Content-Type"], HTTP_AUTHORIZATION=headers["Authorization"],
                           HTTP_IDEMPOTENCY_KEY=headers["Idempotency-Key"])
    assert response.status_code == 201, response.content
    status = client.get(read[1].removeprefix("http://127.0.0.1:8000"),
                        HTTP_AUTHORIZATION=read[read.index("-H") + 1].split(": ", 1)[1])
    assert status.status_code == 200 and status.json()["source_reference"] == response.json()["source_reference"]


ACCOUNTS = "/comptes-de-service/"


def test_the_administrators_page_creates_shows_the_token_once_and_revokes(client, personas):
    client.force_login(personas.admin)
    assert client.get(ACCOUNTS).status_code == 200
    departement = Departement.objects.get(code="93")
    created = client.post(ACCOUNTS, {"name": "ems-93b", "source": "ems", "departement": departement.pk, "days": 30})
    page = created.content.decode()
    token = re.search(r"cds_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}", page)[0]
    assert created.status_code == 200 and "il ne sera plus affiché" in page
    assert token not in client.get(ACCOUNTS).content.decode()
    account = ServiceAccount.objects.get(name="api:ems-93b")
    assert account.created_by == "admin" and post(client, token, signalement()).status_code == 201
    assert client.post(f"{ACCOUNTS}{account.pk}/revoquer/").status_code == 302
    account.refresh_from_db()
    assert account.revoked_by == "admin" and post(client, token, signalement(source_reference="X2")).status_code == 401


def test_the_page_refuses_bad_input_and_other_roles(client, personas):
    client.force_login(personas.admin)
    response = client.post(ACCOUNTS, {"name": "CNAPR 93!", "source": "cnapr", "departement": "x", "days": 0})
    assert response.status_code == 400 and ServiceAccount.objects.count() == 3  # the module's three
    taken = client.post(ACCOUNTS, {"name": "cnapr-93", "source": "cnapr",
                                   "departement": Departement.objects.get(code="93").pk, "days": 30})
    assert taken.status_code == 400 and "Un compte de service porte déjà ce nom." in taken.content.decode()
    for who in ("coord_a", "national", "inspector", "member_a"):
        client.force_login(getattr(personas, who))
        assert client.get(ACCOUNTS).status_code == 403
        assert client.post(f"{ACCOUNTS}{personas.account.pk}/revoquer/").status_code == 403
    personas.account.refresh_from_db()
    assert personas.account.usable
