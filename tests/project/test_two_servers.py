"""Beyond one machine: two application servers (gunicorn, production settings)
on two ports and two queue workers, all on the one PostgreSQL database of the run. A session opened
on one server is valid on the other (sessions in the database); a task claimed through one server
is seen claimed through the other; an e-mail queued by one is sent once, to a mail server this test
runs, whichever worker claims it."""

import base64
import email
import email.policy
import secrets
import socketserver
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection
from django_otp.oath import totp

from cases.models import Case
from organisation import second_factor
from tests.cases.factories import CaseFactory
from tests.conftest import PASSWORD
from tests.organisation.factories import MembershipFactory
from tests.project.test_serve import ROOT, SECOND_FACTOR_KEY, Browser, free_port, gunicorn_command, wait_for
from workflows.models import CaseTask

pytestmark = pytest.mark.postgresql


class SmtpSink(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept a message and keep it (``server.messages``)."""

    def handle(self) -> None:
        self.wfile.write(b"220 sink\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data)
                self.server.messages.append(b"".join(lines).decode())
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            self.wfile.write(b"250 ok\r\n")  # HELO, EHLO, MAIL, RCPT, RSET, NOOP; the DATA's end


@pytest.fixture(scope="module")
def site(django_db_setup, tmp_path_factory):
    """Two gunicorn servers and two workers on the test database, and the mail server they send to."""
    smtp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpSink)
    smtp.messages = []
    threading.Thread(target=smtp.serve_forever, daemon=True).start()
    db = connection.settings_dict
    env = {"PATH": "/usr/bin:/bin", "DEMO": "0", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60),
           "ALLOWED_HOSTS": "127.0.0.1", "AUDIT_TRUSTED_PROXIES": "1", "SECOND_FACTOR_KEY": SECOND_FACTOR_KEY,
           "STATIC_ROOT": str(tmp_path_factory.mktemp("static")), "ENV_FILE": "/dev/null",
           "ATTACHMENTS_ROOT": str(tmp_path_factory.mktemp("attachments")),
           "EMAIL_URL": f"smtp://127.0.0.1:{smtp.server_address[1]}",
           "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"}
    logs, processes, ports = tmp_path_factory.mktemp("logs"), [], [free_port(), free_port()]
    try:
        for number, port in enumerate(ports):
            command = gunicorn_command(port)
            command[command.index("--workers") + 1] = "1"
            with (logs / f"web{number}.log").open("wb") as output:
                processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=output,  # noqa: S603
                                                  stderr=subprocess.STDOUT))
        for number in range(2):  # one worker beside each server
            with (logs / f"worker{number}.log").open("wb") as output:
                processes.append(subprocess.Popen(  # noqa: S603
                    [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.2",
                     "--no-startup-delay", "--no-reload", "--worker-id", f"worker{number}"],
                    cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT))
        for number, port in enumerate(ports):
            wait_for(port, processes[number], logs / f"web{number}.log")
        yield ports, smtp
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
        smtp.shutdown()
        smtp.server_close()


def signed_in(port: int, user, secret: str) -> Browser:
    browser = Browser(port)
    browser.get("/connexion/")
    assert browser.post("/connexion/", {"username": user.username, "password": PASSWORD})[0] == 302
    browser.get("/connexion/second-facteur/")
    code = f"{totp(base64.b32decode(secret)):06d}"
    assert browser.post("/connexion/second-facteur/", {"code": code, "next": "/"})[0] == 302
    return browser


def coordinator(username: str, cell=None):
    membership = MembershipFactory(coordinator=True, user__username=username, user__email=f"{username}@exemple.invalid",
                                   **({"cell": cell} if cell else {"cell__departement__code": "93"}))
    user = membership.user
    user.set_password(PASSWORD)
    user.save()
    secret = second_factor.new_secret()
    second_factor.enrol(user, secret, step=0)
    return user, secret


@pytest.mark.django_db(transaction=True)  # committed: the servers' and workers' own connections read it
def test_two_servers_share_sessions_tasks_and_the_mail_queue(site, settings):
    started = time.monotonic()
    (port_a, port_b), smtp = site
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    settings.SECOND_FACTOR_KEY = SECOND_FACTOR_KEY  # the servers': they decrypt the secrets saved here
    first, first_secret = coordinator("coord.un")
    second, second_secret = coordinator("coord.deux", cell=first.memberships.get().cell)
    referent = MembershipFactory(cell=first.memberships.get().cell, user__email="referent@exemple.invalid").user
    case = CaseFactory(coordinator=first)
    task = CaseTask.objects.get(case=case, owner=None, status="NEW")  # in the cellule's queue
    on_a, on_b = signed_in(port_a, first, first_secret), signed_in(port_b, second, second_secret)

    # The session opened on A is valid on B: nothing is kept in a server's memory.
    assert Browser(port_b).request("GET", "/taches/", headers={
        "Cookie": "; ".join(f"{k}={v}" for k, v in on_a.cookies.items())})[0] == 200

    # Claimed through A, the task has left the queue B shows, and B can no longer claim it.
    assert f"/taches/{task.pk}/" in on_b.get("/taches/file/")[2]
    assert on_a.post(f"/taches/{task.pk}/prendre/", {})[0] == 302
    task.refresh_from_db()
    assert task.owner_id == first.pk
    assert f"/taches/{task.pk}/" not in on_b.get("/taches/file/")[2]
    assert on_b.post(f"/taches/{task.pk}/prendre/", {})[0] == 404  # another's task: not even shown
    task.refresh_from_db()
    assert task.owner_id == first.pk

    # A referent named through B: the e-mails wait in the queue, one of the two workers sends each, once.
    Case.objects.filter(pk=case.pk).update(state="family_contacted")
    on_b.get(f"/signalements/{case.pk}/attribuer/")
    membership = referent.memberships.get()
    status, _, _ = on_b.post(f"/signalements/{case.pk}/attribuer/", {"referent": membership.pk})
    assert status == 302 and Case.objects.get(pk=case.pk).referent_id == referent.pk
    for _ in range(100):
        if any("referent@exemple.invalid" in message for message in smtp.messages):
            break
        time.sleep(0.1)  # the workers poll every 0.2 s
    time.sleep(0.5)  # a second copy, if any, would come now
    # Naming the référent tells them twice (the naming, and the task it gives): each e-mail sent once.
    sent = [message for message in smtp.messages if "referent@exemple.invalid" in message]
    subjects = [str(email.message_from_string(message, policy=email.policy.default)["Subject"]) for message in sent]
    assert len(sent) == len(subjects) == len(set(subjects)) == 2
    assert any(case.reference in message for message in sent)
    assert time.monotonic() - started < 20
