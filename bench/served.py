"""What the HTTP benchmarks (``load.py``, ``ceiling.py``) share: the product served as ``make serve``
serves it (gunicorn, its configuration file, 4 sync workers), and a signed-in person's session.

Each person is a thread of this machine with its own cookies, one connection per request (gunicorn's
sync workers close them), no redirect followed; every request is timed, with its kind."""

import http.client
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "banc-de-charge-2026"  # noqa: S105 (a throwaway database)


def serve(port: int, workers: int, **overrides: str) -> subprocess.Popen:
    """gunicorn as ``make serve`` runs it, its static files collected first. The e-mails go to Django's
    dummy backend (sending them is not the server's work to time) and the intake API's rate limit is
    lifted (the load's API clients post faster than a source does); ``overrides``: more variables."""
    environment = {**os.environ, "EMAIL_URL": "dummy://", "INTAKE_API_CALLS_PER_MINUTE": "1000000", **overrides}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],  # noqa: S603
                   cwd=ROOT, env=environment, check=True)
    server = subprocess.Popen(  # noqa: S603 (the project's own gunicorn)
        [str(ROOT / ".venv/bin/gunicorn"), "project.wsgi", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning"], cwd=ROOT, env=environment, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/connexion/")
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn n'a pas démarré")


def stop(server: subprocess.Popen) -> None:
    """gunicorn's quick shutdown (SIGINT): the measures are over, no request is waited for."""
    server.send_signal(signal.SIGINT)
    server.wait()


class Session:
    """One person's cookies and the timings of their requests: (kind, seconds, ok)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.timings: list[tuple[str, float, bool]] = []

    def request(self, kind: str, method: str, path: str, data: dict | None = None, headers: dict | None = None,
                body: str | None = None):
        """The response (None if the connection failed) and its content; a status from 400 is an error."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        if method == "POST" and body is None:
            body = urlencode(data or {})
            headers |= {"Content-Type": "application/x-www-form-urlencoded",
                        "X-CSRFToken": self.cookies.get("csrftoken", "")}
        start = time.perf_counter()
        ok, response, content = False, None, b""
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            content = response.read()
            connection.close()
            ok = response.status < 400
        except OSError:
            pass
        self.timings.append((kind, time.perf_counter() - start, ok))
        if response is not None:
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";")[0]
        return response, content

    def sign_in(self, username: str) -> None:
        """Signs in with the bench's password (``give_password``); the sign-in is not measured."""
        self.request("connexion", "GET", "/connexion/")
        response, _ = self.request("connexion", "POST", "/connexion/", {"username": username, "password": PASSWORD})
        if response is None or response.status != 302:
            raise SystemExit(f"{username} : connexion refusée")
        self.timings.clear()


def give_password(users) -> None:
    """The bench's password to the people it signs in as: a throwaway database, and the benches' only
    write outside the entry points."""
    for user in users:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])


def p95(times: list[float]) -> float:
    """The 95th percentile, nearest rank."""
    ordered = sorted(times)
    return ordered[math.ceil(len(ordered) * 0.95) - 1]


def summary(times: list[float]) -> dict:
    """p50 and p95 in ms of timings in seconds."""
    return {"p50_ms": round(statistics.median(times) * 1000, 1), "p95_ms": round(p95(times) * 1000, 1)}


def emit(line: dict) -> None:
    print(json.dumps(line, ensure_ascii=False), flush=True)
