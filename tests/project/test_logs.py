"""Structured logs and error reports: a JSON line per request with its id, user
id, path, status and duration, and never a personal value (a case's names searched, posted, or in an
exception's message); the request id a trusted proxy gives, only well-formed; Sentry's scrubber."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from project import sentry
from project.logs import JsonFormatter, RequestContextFilter
from tests.cases.factories import CaseFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("Durand", "Lucas", "Marie", "Bobigny")  # the young person's and the mother's, in CaseFactory


@pytest.fixture
def json_log():
    """Every record of the process, formatted as in production, into a buffer."""
    buffer, handler = io.StringIO(), logging.StreamHandler()
    handler.stream = buffer
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    root, cellule = logging.getLogger(), logging.getLogger("cellule")
    level = cellule.level
    root.addHandler(handler)
    cellule.setLevel(logging.INFO)
    yield buffer
    root.removeHandler(handler)
    cellule.setLevel(level)


def lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_one_line_per_request_with_its_id_user_path_status_and_duration_and_no_name(client, personas, json_log):
    case = CaseFactory(coordinator=personas.coord_a)
    client.force_login(personas.coord_a)
    found = client.get(reverse("cases:list"), {"q": "Durand Lucas"})
    posted = client.post(reverse("cases:action", args=[case.pk, "contact"]), {
        "on": timezone.localdate().isoformat(), "channel": "phone", "outcome": "reached",
        "note": "Marie Durand rappellera, Bobigny."})
    missing = client.get(reverse("cases:detail", args=[999_999_999]), {"q": "Durand"})
    assert (found.status_code, posted.status_code, missing.status_code) == (200, 302, 404)
    requests = [line for line in lines(json_log) if line["logger"] == "cellule.request"]
    assert [(line["method"], line["path"], line["status"]) for line in requests] == [
        ("GET", reverse("cases:list"), 200), ("POST", reverse("cases:action", args=[case.pk, "contact"]), 302),
        ("GET", reverse("cases:detail", args=[999_999_999]), 404)]
    assert [line["request_id"] for line in requests] == [r["X-Request-ID"] for r in (found, posted, missing)]
    assert {line["user_id"] for line in requests} == {personas.coord_a.pk}
    assert all(isinstance(line["duration_ms"], float) for line in requests)
    assert Event.objects.filter(object_id=str(case.pk), request_id=posted["X-Request-ID"]).exists()  # the trail's too
    written = json_log.getvalue()
    assert "?" not in written and not any(name in written for name in NAMES), written


def test_an_exception_is_its_type_and_stack_never_its_message(json_log):
    name = "-".join(NAMES)
    try:
        raise ValueError(name)
    except ValueError:
        logging.getLogger("cellule.test").exception("Échec de l'envoi")
    (line,) = lines(json_log)
    assert line["exception"] == "ValueError" and "raise ValueError(name)" in line["stack"]
    assert line["message"] == "Échec de l'envoi" and name not in json_log.getvalue()


@pytest.mark.parametrize("given,hops,kept", [
    ("0123456789abcdef0123456789abcdef", 1, True),  # nginx's $request_id behind a trusted proxy
    ("0123456789abcdef0123456789abcdef", 0, False),  # no trusted proxy: the client's header counts for nothing
    ('abc"}\n{"user_id": 1', 1, False),  # an attempt to forge a log line
    ("a" * 33, 1, False),  # longer than the trail's column
    ("court", 1, False),
])
def test_the_request_id_of_a_trusted_proxy_if_well_formed_else_a_new_one(client, given, hops, kept):
    with override_settings(AUDIT_TRUSTED_PROXIES=hops):
        response = client.get(reverse("login"), HTTP_X_REQUEST_ID=given)
    assert (response["X-Request-ID"] == given) is kept
    assert len(response["X-Request-ID"]) == 32 and response["X-Request-ID"].isalnum()


def settings_of(env: dict, expression: str) -> subprocess.CompletedProcess:
    script = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,  # noqa: S603
                          timeout=60, env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "project.settings",
                                           "ENV_FILE": "/dev/null", **env})


PRODUCTION = {"SECRET_KEY": "x" * 50, "ATTACHMENTS_ROOT": "/tmp/pj"}  # noqa: S108 (never written)


def test_json_lines_outside_demo_mode_text_in_the_demo_and_a_wrong_level_named():
    formatter = "settings.LOGGING['handlers']['console']['formatter']"
    assert settings_of(PRODUCTION, formatter).stdout.strip() == "json"
    assert settings_of({"DEMO": "1"}, formatter).stdout.strip() == "text"
    assert settings_of({"DEMO": "1", "LOG_JSON": "1"}, formatter).stdout.strip() == "json"
    wrong = settings_of({"DEMO": "1", "LOG_LEVEL": "bavard"}, formatter)
    assert wrong.returncode != 0 and "LOG_LEVEL" in wrong.stderr


def test_sentry_is_off_by_default_and_without_personal_data_when_on():
    off = settings_of(PRODUCTION, "__import__('sentry_sdk').get_client().is_active()")
    assert off.stdout.strip() == "False", off.stderr
    on = settings_of({**PRODUCTION, "SENTRY_DSN": "https://cle@sentry.example.invalid/7"},
                     "[__import__('sentry_sdk').get_client().options[k] for k in "
                     "('send_default_pii', 'include_local_variables', 'max_request_body_size')]")
    assert on.stdout.strip() == "[False, False, 'never']", on.stderr
    assert sentry.options("dsn", "test")["before_send"] is sentry.scrub


def test_the_scrubber_leaves_no_name_cookie_query_body_or_local_variable():
    event = {
        "request": {"method": "POST", "url": "https://cellule.example/signalements/12/contact/?q=Durand",
                    "query_string": "q=Durand+Lucas", "data": {"note": "Marie Durand rappellera"},
                    "cookies": {"sessionid": "s3cr3t"}, "headers": {"Cookie": "sessionid=s3cr3t",
                                                                    "Referer": "https://x/?q=Lucas"},
                    "env": {"REMOTE_ADDR": "198.51.100.7"}},
        "user": {"id": 42, "username": "marie.durand", "email": "marie.durand@example.fr",
                 "ip_address": "198.51.100.7"},
        "exception": {"values": [{"type": "IntegrityError", "value": "Key (last_name)=(Durand) already exists",
                                  "stacktrace": {"frames": [{"filename": "cases/actions/intake.py", "lineno": 10,
                                                             "function": "intake",
                                                             "vars": {"last_name": "'Durand'"}}]}}]},
        "threads": {"values": [{"stacktrace": {"frames": [{"function": "run", "vars": {"first_name": "'Lucas'"}}]}}]},
        "logentry": {"message": "Échec pour %s", "params": ["Marie Durand"], "formatted": "Échec pour Marie Durand"},
        "message": "Échec pour Marie Durand",
        "breadcrumbs": {"values": [{"category": "query", "message": "SELECT … 'Durand'", "data": {"q": "Lucas"}}]},
        "extra": {"person": "Lucas Durand, Bobigny"},
    }
    scrubbed = sentry.scrub(event, {})
    text = json.dumps(scrubbed, ensure_ascii=False)
    assert not any(value in text for value in (*NAMES, "s3cr3t", "marie.durand", "198.51.100.7", "?q")), text
    assert scrubbed["request"] == {"method": "POST", "url": "https://cellule.example/signalements/12/contact/"}
    assert scrubbed["user"] == {"id": 42}
    frame = scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]
    assert scrubbed["exception"]["values"][0]["type"] == "IntegrityError" and frame["function"] == "intake"
    assert scrubbed["logentry"] == {"message": "Échec pour %s"}
    assert scrubbed["breadcrumbs"]["values"] == [{"category": "query"}]


SENTRY_URLS = """
from django.contrib.auth.decorators import login_not_required
from django.urls import path


@login_not_required
def fails(request):
    last_name = request.POST["nom"]
    raise ValueError(f"Impossible pour {last_name}")


urlpatterns = [path("echec/", fails)]
"""
SENTRY_RUN = """
import json, sys
import django
django.setup()
import sentry_sdk
from django.test import Client, override_settings
from django.utils import timezone
from sentry_sdk.transport import Transport
from project import sentry

sent = []


class Capture(Transport):
    def capture_envelope(self, envelope):
        sent.append(envelope)


sentry_sdk.init(**sentry.options("https://cle@sentry.example.invalid/7", "test"), transport=Capture)
with override_settings(ROOT_URLCONF="sentry_urls", ALLOWED_HOSTS=["testserver"]):
    status = Client(raise_request_exception=False).post(
        "/echec/?q=Durand", {"nom": "Durand Lucas"}, HTTP_COOKIE="sessionid=s3cr3t").status_code
sentry_sdk.get_client().flush()
print(json.dumps([status, [item.payload.json for envelope in sent for item in envelope.items if item.type == "event"]]))
"""


def test_a_real_error_reaches_sentry_without_the_names_the_request_carried(tmp_path):
    (tmp_path / "sentry_urls.py").write_text(SENTRY_URLS, encoding="utf-8")
    (tmp_path / "run.py").write_text(SENTRY_RUN, encoding="utf-8")
    result = subprocess.run([sys.executable, str(tmp_path / "run.py")], cwd=ROOT, capture_output=True,  # noqa: S603
                            text=True, timeout=60,
                            env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "project.settings", "DEMO": "1",
                                 "ENV_FILE": "/dev/null", "PYTHONPATH": f"{tmp_path}:{ROOT}",
                                 "DATABASE_URL": f"sqlite:///{tmp_path / 'vide.sqlite3'}"})
    assert result.returncode == 0, result.stderr
    status, (event,) = json.loads(result.stdout)
    assert status == 500 and event["exception"]["values"][-1]["type"] == "ValueError"
    assert event["request"] == {"method": "POST", "url": "/echec/"} and event["tags"]["request_id"]
    text = json.dumps(event, ensure_ascii=False)
    assert not any(value in text for value in ("Durand", "Lucas", "s3cr3t")), text
