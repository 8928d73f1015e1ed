"""The product served as docs/deploy.md says: `collectstatic`, then gunicorn as
the web server's unit starts it, with production settings on PostgreSQL (DEBUG off, no DEMO, a
SECRET_KEY, ALLOWED_HOSTS), behind what the reverse proxy of deploy/nginx/cellule.conf sends (one
trusted hop, HTTPS). Over HTTP: a login with its second factor, a case's transition with its CSRF
token, /health/ green, the static files served by whitenoise."""

import base64
import datetime
import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from cryptography import x509
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.db import connection
from django_otp.oath import totp

from audit.models import Event, Tally
from cases.models import Case, State
from organisation import second_factor
from tests.cases.factories import CaseFactory
from tests.conftest import PASSWORD
from tests.organisation.factories import MembershipFactory

pytestmark = pytest.mark.postgresql
ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "systemd" / "cellule-web.service"
SECOND_FACTOR_KEY = Fernet.generate_key().decode()
CLIENT, PROXY_SAW = "198.51.100.66", "203.0.113.9"  # what the client wrote, what the proxy appended
HOST = "cellule.prefecture.example"  # deploy/nginx/cellule.conf's


def wait_for(port: int, process: subprocess.Popen, log) -> None:
    """Until the server listens on ``port`` (its log in the failure if it stopped)."""
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert process.poll() is None, log.read_text()
            time.sleep(0.1)  # the server is starting
    raise AssertionError(f"Nothing listens on port {port}: {log.read_text()}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_command(port: int) -> list[str]:
    """The unit's ExecStart, from this clone's virtualenv, on a free port with two workers."""
    start = re.search(r"^ExecStart=(.*)$", UNIT.read_text(encoding="utf-8"), re.MULTILINE).group(1)
    words = shlex.split(start)
    assert words[0] == "/opt/cellule/.venv/bin/gunicorn"
    words[0] = str(Path(sys.executable).parent / "gunicorn")
    words[words.index("--bind") + 1] = f"127.0.0.1:{port}"
    words[words.index("--workers") + 1] = "2"
    return words


class Browser:
    """HTTP as the reverse proxy forwards it: no redirect followed, cookies kept (Secure ones too,
    the scheme being HTTPS behind the proxy)."""

    def __init__(self, port: int, forwarded: bool = True) -> None:
        self.port, self.forwarded, self.cookies = port, forwarded, {}

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None):
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.forwarded:
            sent |= {"X-Forwarded-Proto": "https", "X-Forwarded-For": f"{CLIENT}, {PROXY_SAW}"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            sent |= {"Content-Type": "application/x-www-form-urlencoded",
                     "Referer": f"https://127.0.0.1:{self.port}{path}"}
        server = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            server.request(method, path, body=body, headers=sent)
            response = server.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            body = response.read()
            return response.status, response.headers, body if response.headers["Content-Encoding"] else body.decode()
        finally:
            server.close()

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, form: dict):
        return self.request("POST", path, form=form)


@pytest.fixture(scope="module")
def production(django_db_setup, tmp_path_factory):
    """gunicorn on the test database, started once for the module."""
    started, db, static = time.monotonic(), connection.settings_dict, tmp_path_factory.mktemp("static")
    env = {"PATH": "/usr/bin:/bin", "DEMO": "0", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60),
           "ALLOWED_HOSTS": f"127.0.0.1,{HOST}", "AUDIT_TRUSTED_PROXIES": "1", "SECOND_FACTOR_KEY": SECOND_FACTOR_KEY,
           "STATIC_ROOT": str(static), "ATTACHMENTS_ROOT": str(tmp_path_factory.mktemp("attachments")),
           "EMAIL_URL": "dummy://", "ENV_FILE": "/dev/null",
           "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=ROOT, env=env,  # noqa: S603
                   check=True, capture_output=True, timeout=300)
    port = free_port()
    log = tmp_path_factory.mktemp("log") / "gunicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen(gunicorn_command(port), cwd=ROOT, env=env, stdout=output,  # noqa: S603
                                  stderr=subprocess.STDOUT)
    try:
        wait_for(port, server, log)
        print(f"collectstatic and gunicorn up in {time.monotonic() - started:.1f} s")  # noqa: T201
        yield SimpleNamespace(port=port, log=log, static=static)
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_gunicorn_serves_the_pages_and_whitenoise_the_static_files(production):
    browser = Browser(production.port)
    status, headers, page = browser.get("/connexion/")
    assert status == 200 and "Connexion" in page
    assert "script-src 'self'" in headers["Content-Security-Policy"] and "no-store" in headers["Cache-Control"]
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    script = re.search(r'src="(/static/project/print\.js)"', page).group(1)
    status, headers, body = browser.get(script, headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"  # whitenoise's compressed copy
    assert "no-store" not in headers.get("Cache-Control", "") and "max-age" in headers["Cache-Control"]
    # The DSFR's files are collected; viewflow's front end and the packages' notes are not (project/static_files.py).
    assert (production.static / "dsfr" / "dist" / "dsfr.min.css").is_file() and (production.static / "admin").is_dir()
    assert not (production.static / "viewflow").exists() and not list(production.static.rglob("*.md"))
    status, headers, _ = browser.get("/signalements/")
    assert status == 302 and headers["Location"].startswith("/connexion/")
    status, headers, _ = Browser(production.port, forwarded=False).get("/connexion/")  # plain HTTP, not via the proxy
    assert status == 301 and headers["Location"].startswith("https://")
    status, _, body = Browser(production.port, forwarded=False).get("/health/")  # a probe on the host
    assert status in (200, 503) and '"base_de_donnees": true' in body


@pytest.mark.django_db(transaction=True)  # committed: the server's own connections read it
def test_a_coordinator_signs_in_with_the_second_factor_and_records_a_family_contact(production, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    settings.SECOND_FACTOR_KEY = SECOND_FACTOR_KEY  # the server's: it decrypts the secret saved here
    coordinator = MembershipFactory(cell__departement__code="93", coordinator=True, user__username="coord.prod").user
    coordinator.set_password(PASSWORD)
    coordinator.save()
    secret = second_factor.new_secret()
    second_factor.enrol(coordinator, secret, step=0)
    case = CaseFactory(coordinator=coordinator)
    browser, log = Browser(production.port), production.log

    browser.get("/connexion/")
    status, headers, _ = browser.post("/connexion/", {"username": "coord.prod", "password": PASSWORD})
    assert status == 302
    status, headers, _ = browser.get(f"/signalements/{case.pk}/")
    assert status == 302 and headers["Location"].startswith("/connexion/second-facteur/")  # no page without it
    browser.get("/connexion/second-facteur/")
    code = f"{totp(base64.b32decode(secret)):06d}"
    status, headers, _ = browser.post("/connexion/second-facteur/", {"code": code, "next": "/"})
    assert status == 302 and headers["Location"] == "/"

    status, _, page = browser.get(f"/signalements/{case.pk}/")
    assert status == 200 and case.reference in page
    status, headers, _ = browser.post(f"/signalements/{case.pk}/contact/", {
        "on": time.strftime("%Y-%m-%d"), "channel": "phone", "outcome": "reached", "note": "Appel à la mère."})
    assert status == 302, headers
    assert Case.objects.get(pk=case.pk).state == State.FAMILY_CONTACTED
    contact = Event.objects.filter(object_id=str(case.pk), actor=coordinator).latest("pk")
    assert contact.ip == PROXY_SAW and contact.request_id == headers["X-Request-ID"]  # never what the client wrote

    status, headers, body = browser.get("/health/")
    assert status == 200 and '"etat": "ok"' in body and "application/json" in headers["Content-Type"]
    logged = [json.loads(line) for line in log.read_text().splitlines()]  # gunicorn's own lines too
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in logged)
    posted = next(line for line in logged if line.get("request_id") == contact.request_id)
    assert (posted["method"], posted["status"], posted["user_id"]) == ("POST", 302, coordinator.pk)
    assert case.person.last_name not in log.read_text()


NGINX = shutil.which("nginx") or next((path for path in ("/usr/sbin/nginx",) if Path(path).exists()), None)


def self_signed(directory: Path) -> None:
    """A certificate for the host name, as fullchain.pem and privkey.pem."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now)
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
                   .sign(key, hashes.SHA256()))
    (directory / "fullchain.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (directory / "privkey.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


@pytest.fixture
def nginx(production, tmp_path):
    """deploy/nginx/cellule.conf as it is, but for its ports, paths and upstream: in front of the server."""
    plain, tls = free_port(), free_port()
    self_signed(tmp_path)
    conf = (ROOT / "deploy" / "nginx" / "cellule.conf").read_text(encoding="utf-8")
    for old, new in [("/etc/ssl/cellule/", f"{tmp_path}/"), ("/var/log/nginx/", f"{tmp_path}/"),
                     ("listen 80;", f"listen 127.0.0.1:{plain};"), ("listen 443 ssl", f"listen 127.0.0.1:{tls} ssl"),
                     ("127.0.0.1:8000", f"127.0.0.1:{production.port}"),
                     ("/opt/cellule/staticfiles/", f"{production.static}/")]:
        assert old in conf
        conf = conf.replace(old, new)
    conf = re.sub(r"\n\s*listen \[::\][^\n]*", "", conf)
    (tmp_path / "nginx.conf").write_text(
        # As root, nginx's workers would drop to "nobody", who cannot read the test's private directories.
        f"{'user root;' if os.geteuid() == 0 else ''}\npid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\ninclude /etc/nginx/mime.types;\nclient_body_temp_path {tmp_path};\n{conf}\n}}\n")
    subprocess.run([NGINX, "-c", str(tmp_path / "nginx.conf")], check=True, capture_output=True,  # noqa: S603
                   timeout=20)
    try:
        yield SimpleNamespace(plain=plain, tls=tls, log=tmp_path / "cellule.access.log")
    finally:
        subprocess.run([NGINX, "-c", str(tmp_path / "nginx.conf"), "-s", "stop"], capture_output=True,  # noqa: S603
                       timeout=20)


def through(port: int, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # the test's own certificate
    server = http.client.HTTPSConnection("127.0.0.1", port, timeout=20, context=context)
    try:
        server.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = server.getresponse()
        return response.status, response.headers, response.read()
    finally:
        server.close()


@pytest.mark.skipif(NGINX is None, reason="nginx absent (apt-get install nginx-light)")
@pytest.mark.django_db(transaction=True)
def test_through_nginx_as_configured(production, nginx):
    """The example configuration, run: TLS, the client's forwarded headers overwritten or counted for
    nothing, static files from STATIC_ROOT, the body limit, and logs without the query string."""
    plain = http.client.HTTPConnection("127.0.0.1", nginx.plain, timeout=20)
    plain.request("GET", "/connexion/", headers={"Host": HOST})
    assert plain.getresponse().status == 301
    plain.close()
    forged = {"X-Forwarded-For": CLIENT, "X-Request-ID": "forged0123456789", "X-Forwarded-Proto": "http"}
    status, headers, _ = through(nginx.tls, "GET", "/connexion/?q=Durand", forged)
    assert status == 200 and re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])  # nginx's id, not the client's
    token = SimpleCookie(headers["Set-Cookie"])["csrftoken"].value
    form = urlencode({"username": "personne", "password": "faux", "csrfmiddlewaretoken": token}).encode()
    status, _, _ = through(nginx.tls, "POST", "/connexion/", {
        **forged, "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={token}",
        "Referer": f"https://{HOST}/connexion/"}, form)
    assert status == 200  # the login page again, with its message
    # The failed login is counted from the address nginx received the request from, never the client's
    # header (audit.tallies: one event per minute and source, written once the minute is over).
    refused = Tally.objects.get(action="auth.login_failures")
    assert refused.source == "127.0.0.1"
    status, headers, body = through(nginx.tls, "GET", "/static/project/print.js", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip" and headers["X-Content-Type-Options"] == "nosniff"
    status, _, _ = through(nginx.tls, "POST", "/connexion/", {"Content-Type": "application/octet-stream"},
                           b"\0" * (12 * 1024 * 1024))
    assert status == 413  # beyond an attachment's size, refused before gunicorn
    status, _, body = through(nginx.tls, "GET", "/health/")
    assert status == 200 and b'"etat": "ok"' in body
    for log in (nginx.log, production.log):
        assert "Durand" not in log.read_text() and "forged" not in log.read_text()
