"""The reverse proxy's example (deploy/nginx/cellule.conf) agrees with the environment file's example
(deploy/cellule.env.example), the web server's unit and the settings: TLS, the forwarded headers of
one trusted hop, the body size of an attachment, the static files."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings

from audit.middleware import client_ip
from project.env import read_env_file

ROOT = Path(__file__).resolve().parents[2]
NGINX = (ROOT / "deploy" / "nginx" / "cellule.conf").read_text(encoding="utf-8")
ENV = read_env_file(ROOT / "deploy" / "cellule.env.example", required=True)
UNITS = {"k": 1024, "m": 1024**2, "g": 1024**3}
FORM_OVERHEAD = 64 * 1024  # the multipart envelope and the note's other fields


def directives(block: str) -> list[tuple[str, str]]:
    """Each `name arguments;` of the configuration, comments removed (nested blocks flattened)."""
    text = re.sub(r"#[^\n]*", "", block)
    return [(name, args.strip()) for name, args in re.findall(r"([a-z_0-9]+)\s+([^;{}]*);", text)]


def server_blocks() -> list[str]:
    starts = [match.end() for match in re.finditer(r"\bserver\s*\{", NGINX)]
    blocks = []
    for start in starts:
        depth, end = 1, start
        while depth:
            depth += {"{": 1, "}": -1}.get(NGINX[end], 0)
            end += 1
        blocks.append(NGINX[start:end])
    return blocks


def tls_server() -> list[tuple[str, str]]:
    return next(directives(block) for block in server_blocks() if "ssl_certificate" in block)


def values(name: str, found: list[tuple[str, str]] | None = None) -> list[str]:
    return [args for key, args in (found if found is not None else tls_server()) if key == name]


def headers() -> dict[str, str]:
    return dict(args.split(None, 1) for args in values("proxy_set_header"))


def test_tls_only_plain_http_redirects():
    plain, tls = server_blocks()
    assert values("listen", directives(plain)) == ["80", "[::]:80"]
    assert values("return", directives(plain)) == ["301 https://$host$request_uri"]
    assert all("443 ssl" in listen for listen in values("listen")) and values("ssl_certificate_key")
    assert set(values("ssl_protocols")[0].split()) <= {"TLSv1.2", "TLSv1.3"}


def test_the_host_name_is_the_one_the_settings_serve_and_link():
    name = values("server_name")[0]
    assert name in ENV["ALLOWED_HOSTS"].split(",") and ENV["SITE_URL"] == f"https://{name}"


def test_forwarded_headers_are_one_trusted_hop_and_overwrite_what_the_client_sent():
    sent = headers()
    assert sent["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"  # appends the peer: one hop
    assert ENV["AUDIT_TRUSTED_PROXIES"] == "1"
    assert sent["X-Forwarded-Proto"] == "$scheme" and sent["Host"] == "$host"
    assert sent["X-Request-ID"] == "$request_id"  # nginx's own, never the client's


@override_settings(AUDIT_TRUSTED_PROXIES=1)
def test_behind_that_proxy_a_crafted_forwarded_for_does_not_change_the_recorded_address():
    # What the application receives from nginx when the client wrote X-Forwarded-For itself.
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"


def test_the_body_limit_lets_an_attachment_through_and_no_more():
    size = values("client_max_body_size")[0]
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", size.lower()).groups()
    limit = int(number) * UNITS.get(unit, 1)
    for attachment in (int(ENV["ATTACHMENT_MAX_BYTES"]), settings.ATTACHMENT_MAX_BYTES):
        assert attachment + FORM_OVERHEAD <= limit <= 2 * attachment  # 0 would mean no limit at all


def test_the_static_files_are_those_collectstatic_gathers():
    location = re.search(r"location\s+(\S+)\s*\{([^}]*)\}", NGINX)
    assert location.group(1) == f"/{settings.STATIC_URL.strip('/')}/"
    assert values("alias", directives(location.group(2))) == [ENV["STATIC_ROOT"].rstrip("/") + "/"]


def test_the_upstream_is_the_web_server_s_bind():
    unit = (ROOT / "deploy" / "systemd" / "cellule-web.service").read_text(encoding="utf-8")
    bind = re.search(r"--bind\s+(\S+)", unit).group(1)
    upstream = re.search(r"upstream\s+cellule\s*\{([^}]*)\}", NGINX).group(1)
    assert values("server", directives(upstream)) == [bind]


def test_the_example_s_secret_key_is_left_empty_so_that_an_unfilled_copy_does_not_start():
    assert ENV["SECRET_KEY"] == ""


@pytest.mark.parametrize("name", ["ALLOWED_HOSTS", "DATABASE_URL", "ATTACHMENTS_ROOT", "EMAIL_URL",
                                  "SITE_URL", "REPORT_RECIPIENTS"])
def test_the_environment_example_gives_what_production_needs(name):
    assert ENV.get(name)


def test_the_settings_start_from_the_environment_example(tmp_path):
    script = ("import django; django.setup(); from django.conf import settings as s; "
              "print(s.DEBUG, s.AUDIT_TRUSTED_PROXIES, s.SECURE_PROXY_SSL_HEADER[0], s.ATTACHMENT_MAX_BYTES, "
              "s.SECURE_SSL_REDIRECT)")
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "project.settings",
           "ENV_FILE": str(ROOT / "deploy" / "cellule.env.example"), "SECRET_KEY": "x" * 60}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,  # noqa: S603
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "1", "HTTP_X_FORWARDED_PROTO", ENV["ATTACHMENT_MAX_BYTES"], "True"]
