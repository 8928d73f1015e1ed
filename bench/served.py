"""What the HTTP benchmarks (``load.py``, ``ceiling.py``) share: the product served as ``make serve``
serves it (gunicorn, its configuration file, 4 sync workers), and a signed-in person's session.

Each person is a thread of this machine with its own cookies, one connection per request (gunicorn's
sync workers close them), no redirect followed; every request is timed, with its kind and, when it
failed, what the failure was (the HTTP status, or the class of the connection's exception). The first
failures are written to the standard error with their path and the start of the page's text, and the
server's standard error (gunicorn's lines, the product's log: a line per request, an error's stack) is
kept in a file whose name is written when the server stops."""

import html
import http.client
import json
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "banc-de-charge-2026"  # noqa: S105 (a throwaway database)
FAILURES_SHOWN = 5  # the first failures of a run written to the standard error
MAIN = re.compile(r"<main\b.*?</main>", re.S)
TAG = re.compile(r"<[^>]+>|\s+")


def serve(port: int, workers: int, **overrides: str) -> subprocess.Popen:
    """gunicorn as ``make serve`` runs it, its static files collected first. The e-mails go to Django's
    dummy backend (sending them is not the server's work to time) and the intake API's rate limit is
    lifted (the load's API clients post faster than a source does); ``overrides``: more variables."""
    environment = {**os.environ, "EMAIL_URL": "dummy://", "INTAKE_API_CALLS_PER_MINUTE": "1000000", **overrides}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],  # noqa: S603
                   cwd=ROOT, env=environment, check=True)
    log = Path(tempfile.mkdtemp(prefix="served-")) / "gunicorn.log"
    with log.open("wb") as stderr:  # the server keeps its own copy of the descriptor
        server = subprocess.Popen(  # noqa: S603 (the project's own gunicorn, beside the running Python)
            [str(Path(sys.executable).with_name("gunicorn")), "project.wsgi", "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning"], cwd=ROOT, env=environment, stderr=stderr)
    server.log = log  # type: ignore[attr-defined] (read by stop())
    for _ in range(300):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/connexion/")
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn n'a pas démarré")


def stop(server: subprocess.Popen) -> None:
    """gunicorn's graceful shutdown (SIGTERM): the clients are done, so nothing is waited for, but a
    worker still finishing the bookkeeping of a request already answered is not interrupted (SIGINT
    raised SystemExit in it, logged as an error). Where its log is, and how many of its lines are
    warnings or errors, go to the standard error."""
    server.send_signal(signal.SIGTERM)
    server.wait()
    lines = server.log.read_text(errors="replace").splitlines()
    alarms = sum(1 for line in lines if re.match(r"\S+ (WARNING|ERROR|CRITICAL) ", line))
    print(f"journal du serveur : {server.log} ({len(lines)} lignes, {alarms} avertissements ou erreurs)",
          file=sys.stderr, flush=True)


class Session:
    """One person's cookies and the timings of their requests: (kind, seconds, failure), the failure
    empty when the request succeeded (a status below 400)."""

    failures_shown = 0  # over all sessions of the process
    lock = threading.Lock()

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.timings: list[tuple[str, float, str]] = []

    def request(self, kind: str, method: str, path: str, data: dict | None = None, headers: dict | None = None,
                body: str | None = None):
        """The response (None if the connection failed) and its content; a status from 400 is an error."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        if method == "POST" and body is None:
            body = urlencode(data or {})
            headers |= {"Content-Type": "application/x-www-form-urlencoded",
                        "X-CSRFToken": self.cookies.get("csrftoken", "")}
        start = time.perf_counter()
        failure, response, content = "", None, b""
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            content = response.read()
            connection.close()
            failure = str(response.status) if response.status >= 400 else ""
        except (OSError, http.client.HTTPException) as error:
            failure = type(error).__name__
        self.timings.append((kind, time.perf_counter() - start, failure))
        if failure:
            self.show(failure, kind, method, path, content)
        if response is not None:
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";")[0]
        return response, content

    @classmethod
    def show(cls, failure: str, kind: str, method: str, path: str, content: bytes) -> None:
        """The first failures of the run on the standard error: status, request, the page's text."""
        with cls.lock:
            if cls.failures_shown >= FAILURES_SHOWN:
                return
            cls.failures_shown += 1
        page = content.decode(errors="replace")
        main = MAIN.search(page)  # a page's own text, without the header's menus
        text = html.unescape(TAG.sub(" ", main[0] if main else page)).strip()
        print(f"échec : {failure} à {method} {path} ({kind}) : {text[:300]!r}", file=sys.stderr, flush=True)

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


def failures(timings: list[tuple[str, float, str]]) -> dict:
    """The failed requests' count, and their count by status (or exception)."""
    by_status = Counter(failure for _, _, failure in timings if failure)
    return {"errors": sum(by_status.values()), "errors_by_status": dict(sorted(by_status.items()))}


def emit(line: dict) -> None:
    print(json.dumps(line, ensure_ascii=False), flush=True)
