"""The product served as in production (`make serve`): gunicorn, production settings on PostgreSQL,
static files by whitenoise (compressed), the pages with their headers."""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (a local test server)
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def production(tmp_path):
    db = connection.settings_dict
    env = {"PATH": os.environ["PATH"], "DEMO": "0", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60),
           "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "STATIC_ROOT": str(tmp_path / "static"),
           "ATTACHMENTS_ROOT": str(tmp_path / "attachments"),
           "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)
    port = free_port()
    gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "project.wsgi", "--workers", "2",
                "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,  # noqa: S603
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                fetch(base + "/connexion/")
                break
            except OSError:
                time.sleep(0.2)  # the server is starting
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_gunicorn_serves_the_product_with_its_static_files(production):
    status, headers, page = fetch(production + "/connexion/")
    assert status == 200 and "Connexion" in page
    assert "script-src 'self'" in headers["Content-Security-Policy"] and "no-store" in headers["Cache-Control"]
    script = re.search(r'src="(/static/project/print\.js)"', page).group(1)
    status, headers, body = fetch(production + script)
    assert status == 200 and "window.print" in body and "no-store" not in headers.get("Cache-Control", "")
    status, _, body = fetch(production + "/signalements/")  # the rest sends to the login page (followed)
    assert status == 200 and 'name="password"' in body
