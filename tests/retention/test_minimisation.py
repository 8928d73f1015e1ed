"""Minimisation: a case with a canary in every personal field (``{canary}-{what}``), then every page
the national level and the mobile team can reach (crawled from their home page, links followed),
every export (the monthly report's and the national consolidation's CSV and XLSX, the inspection's
CSV and JSON exports of the trail) and every e-mail the flows sent: each reader finds only what
their role needs, none a name, an address or a family's details."""

import html
import io
import re
import zipfile

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import actions as cases_actions
from mobile_team import actions as mobile
from mobile_team.models import MobileTeamRequest
from outbox.queue import run_due
from reporting.periods import last_ended
from tests.cases.factories import bilan
from tests.conftest import build_personas, built_once, forget_cached_rights
from tests.retention.canary import full_case

CANARY = "Zqxindia"
# What the mobile team is given of a case, written for it (mobile_team/models.py), and its own work.
TEAM = {"prenom", "ville", "motif", "situation", "dates", "lieu", "joindre", "salle", "intervenant", "question",
        "reponse", "compte-rendu", "courrier", "lettre"}
SKIPPED = ("/deconnexion/", "/static/", "/admin/")


def tags(text: str) -> set[str]:
    """The fields whose canary the text shows: ``Zqxindia-nom`` → ``nom``."""
    return set(re.findall(rf"{CANARY.lower()}-([a-z]+(?:-[a-z]+)*)", text.lower()))


def text_of(response) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            return " ".join(book.read(name).decode() for name in book.namelist() if name.endswith(".xml"))
    return html.unescape(b"".join(response).decode("utf-8", "replace")) if response.streaming else \
        html.unescape(response.content.decode("utf-8", "replace"))


def crawl(client, start: list[str], limit: int = 400) -> dict[str, set[str]]:
    """Every page reached by GET from ``start`` through the product's links: the canary tags on each."""
    found, queue = {}, list(start)
    while queue and len(found) < limit:
        url = queue.pop(0)
        if url in found or url.startswith(SKIPPED):
            continue
        response = client.get(url)
        body = text_of(response)
        found[url] = tags(body)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            queue += [link for link in re.findall(r'href="(/[^"#]*)"', body) if link not in found]
    return found


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker):
        personas = build_personas()
        mail.outbox = []
        case = full_case(personas, CANARY, close=False)
        # Another, closed while the team was called: its request is withdrawn and the team told.
        other = full_case(personas, CANARY, through_mobile_team=False, close=False)
        mobile.request_mobile_team(personas.coord_a, other, motive=f"{CANARY}-motif", expected="advice",
                                   urgency="normal", summary=f"{CANARY}-situation")
        cases_actions.close(personas.coord_a, other, reason="left", note=f"{CANARY}-cloture",
                            measures_outcome="interrupted", bilan=bilan(other, "partly"))
        run_due()  # the e-mail queue, as its worker would: inside this transaction nothing is sent at commit
        yield personas, case, list(mail.outbox)


@pytest.fixture
def personas(world, db):
    forget_cached_rights(world[0])
    return world[0]


def test_the_national_level_sees_no_value_of_a_case(personas, world):
    client = Client()
    client.force_login(personas.national)
    month = str(last_ended())  # the national view's months have ended
    pages = crawl(client, ["/", reverse("national:view"), reverse("mobile_team:dashboard"),
                           *(reverse("national:export", args=[month, fmt]) for fmt in ("csv", "xlsx"))])
    print(f"national: {len(pages)} pages and exports searched:", sorted(pages))
    assert len(pages) > 5
    assert {url: seen for url, seen in pages.items() if seen} == {}


def test_the_mobile_team_sees_only_what_the_request_gives_it(personas, world):
    client = Client()
    client.force_login(personas.mobile)
    requests = [reverse("mobile_team:request", args=[pk])
                for pk in MobileTeamRequest.objects.values_list("pk", flat=True)]
    pages = crawl(client, ["/", reverse("mobile_team:all"), *requests])
    print(f"mobile team: {len(pages)} pages searched:", sorted(pages))
    shown = set().union(*pages.values())
    assert {"prenom", "situation", "compte-rendu"} <= shown  # the request's own page was read
    assert {url: seen - TEAM for url, seen in pages.items() if seen - TEAM} == {}


def test_the_reports_and_the_trails_exports_carry_no_value_of_a_case(personas, world):
    month = f"{timezone.localdate():%Y-%m}"
    exports = {}
    for user, urls in ((personas.coord_a, [reverse("reports:export", args=[month, fmt]) for fmt in ("csv", "xlsx")]),
                       (personas.inspector, [reverse("inspection:export_csv"), reverse("inspection:export_bundle")])):
        client = Client()
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            exports[url] = tags(text_of(response))
    print("exports searched:", sorted(exports))
    assert {url: seen for url, seen in exports.items() if seen} == {}


def test_the_e_mails_carry_no_name_no_address_and_no_family_detail(personas, world):
    messages = world[2]
    print(f"{len(messages)} e-mails searched:", [m.subject for m in messages])
    assert len(messages) > 5
    found = [(m.subject, tags(f"{m.subject} {m.body}")) for m in messages]  # several share a subject
    assert [(subject, seen) for subject, seen in found if seen] == []
