"""One read rule for everything shown: every view that serves a file answers each person exactly as
the page that lists the file does, motive included, and records the read with that motive.

``FILES`` pairs each file-serving URL with the pages that list it; the access matrix
(``test_access_matrix``) fails on a download it meets that is not in this table. Besides the
matrix's personas, two members of the 93 cellule: ``past_a``, who once held a task of a case and
holds none now (they open it with a motive), and ``leaving_a``, the same, whose membership ends
today (a membership opens nothing from its end date).
"""

from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases import actions
from cases.task_kinds import CONTACT_FAMILY
from mobile_team import actions as mobile
from mobile_team.task_kinds import HANDLE_REQUEST
from organisation import actions as organisation
from organisation.models import Membership
from tests.cases.factories import CaseFactory
from tests.conftest import build_personas, built_once, forget_cached_rights
from tests.organisation.factories import MembershipFactory
from tests.project.test_audit_coverage import PAGES, build_context
from workflows import tasks

# File-serving URL: the pages that list its files (a person may fetch a file if one of them shows it).
FILES = {
    "cases:attachment": ("cases:detail",),
    "mobile_team:message_attachment": ("cases:detail", "mobile_team:request"),
    "composition_export": ("cell_detail",),
    "reports:export": ("reports:detail",),
    "national:export": ("national:view",),
    "funding:export": ("funding:list",),
    "funding:national_export": ("funding:national",),
    "inspection:export_csv": ("inspection:search",),
    "inspection:export_bundle": ("inspection:search",),
    "inspection:verifier": ("inspection:search",),  # the verifier's code, offered beside the bundle
    "retention:export": ("retention:persons",),
    "intake:template": ("intake:import",),
    "meetings:pdf": ("meetings:detail",),
}
PEOPLE = ["coord_a", "member_a", "past_a", "leaving_a", "coord_b", "member_b", "mobile", "inspector", "national",
          "admin", "former", "outsider", None]


def worked_on(p, member):
    """A case of the 93 whose family ``member`` contacted (a task taken from the queue and done), then
    given to the coordinator as référent, with a note's file and a file of the mobile team's thread."""
    case = CaseFactory(coordinator=p.coord_a)
    tasks.claim(member, case.tasks.get(flow_task_name=CONTACT_FAMILY))
    actions.record_family_contact(member, case, on=case.received_on, channel="phone", outcome="reached")
    actions.assign(p.coord_a, case, referent=p.coord_a)
    note = actions.add_note(p.coord_a, case, text="Bilan.", visibility="cellule",
                            attachments=[SimpleUploadedFile("bilan.pdf", b"%PDF-1.4\n")])
    mobile.request_mobile_team(p.coord_a, case, motive="Regard clinique", expected="individual_care",
                               urgency="normal", summary="Isolement.")
    request = case.mobile_team_requests.get()
    tasks.claim(p.mobile, case.tasks.get(flow_task_name=HANDLE_REQUEST))
    message = mobile.send_message(p.mobile, request, "Compte rendu joint.",
                                  [SimpleUploadedFile("compte-rendu.pdf", b"%PDF-1.4\n")])
    return SimpleNamespace(case=case, attachment=note.attachments.get(), request=request,
                           message_file=message.attachments.get())


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker):
        p = build_personas()
        p.past_a = MembershipFactory(cell=p.cell_a, contacts_families=True, user__username="past_a").user
        p.leaving_a = MembershipFactory(cell=p.cell_a, contacts_families=True, user__username="leaving_a").user
        context = build_context(p)
        worked = worked_on(p, p.past_a)
        left = worked_on(p, p.leaving_a)
        organisation.end_membership(p.coord_a, Membership.objects.get(user=p.leaving_a), timezone.localdate())
        yield p, context, worked, left


@pytest.fixture
def people(shared, db):
    forget_cached_rights(shared[0])
    return shared[0]


def _args(name: str, context, worked) -> list:
    """The matrix's arguments, but the case's files are those of a case the past holders worked on."""
    if name in ("cases:attachment", "cases:detail"):
        return [worked.case.pk, worked.attachment.pk][: 2 if name == "cases:attachment" else 1]
    if name == "mobile_team:message_attachment":
        return [worked.request.pk, worked.message_file.pk]
    if name == "mobile_team:request":
        return [worked.request.pk]
    return PAGES[name][1](context)


def answer(client: Client, url: str) -> str:
    """What a person gets: shown, asked for a motive, sent to log in, or refused (403 or 404 alike)."""
    response = client.get(url)
    if response.status_code == 302:
        target = urlsplit(response["Location"]).path
        if target.endswith("/motif/"):
            return "motive"
        return "login" if target in (reverse("login"), reverse("admin:login")) else "moved"
    return {200: "shown", 403: "refused", 404: "refused"}.get(response.status_code, str(response.status_code))


RANK = ["refused", "login", "moved", "motive", "shown"]


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_file_answers_as_the_page_that_lists_it(shared, people, name):
    _, context, worked, _ = shared
    found, expected = {}, {}
    for person in PEOPLE:
        client = Client(raise_request_exception=False)
        if person:
            client.force_login(getattr(people, person))
        found[person] = answer(client, reverse(name, args=_args(name, context, worked)))
        pages = [answer(client, reverse(page, args=_args(page, context, worked))) for page in FILES[name]]
        expected[person] = max(pages, key=RANK.index)
    assert found == expected


def test_the_rule_is_the_one_stated(shared, people):
    """The files of a case: its coordinator and whoever holds a task open them; the past holder with
    a motive; the past holder whose membership ends today, not at all."""
    _, _, worked, left = shared
    for person, case, expected in [("coord_a", worked, "shown"), ("past_a", worked, "motive"),
                                   ("leaving_a", left, "refused"), ("past_a", left, "refused")]:
        client = Client(raise_request_exception=False)
        client.force_login(getattr(people, person))
        for url in (reverse("cases:attachment", args=[case.case.pk, case.attachment.pk]),
                    reverse("mobile_team:message_attachment", args=[case.request.pk, case.message_file.pk])):
            assert answer(client, url) == expected, (person, url)


@pytest.mark.parametrize("name", ["cases:attachment", "mobile_team:message_attachment"])
def test_the_motive_given_for_a_file_leads_to_it_and_goes_with_its_read(client, shared, people, name):
    _, _, worked, _ = shared
    client.force_login(people.past_a)
    url = reverse(name, args=_args(name, None, worked))
    asked = client.get(url)
    assert parse_qs(urlsplit(asked["Location"]).query)["suivant"] == [url]  # back to the file afterwards
    read = "case.attachment_read" if name == "cases:attachment" else "mobile_request.attachment_read"
    assert not Event.objects.filter(action=read, actor=people.past_a).exists()  # nothing served, nothing read

    motive_page = client.get(asked["Location"])
    assert motive_page.status_code == 200
    given = client.post(asked["Location"], {"reason": "replacement", "text": "", "suivant": url})
    assert given["Location"] == url
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Disposition"].startswith("attachment")
    event = Event.objects.filter(action=read, actor=people.past_a).get()
    assert event.details["motif"] == "Reprise du suivi (absence ou remplacement d'un collègue)"


@pytest.mark.parametrize("elsewhere", ["https://exemple.invalid/", "//exemple.invalid/x", "/\\exemple.invalid"])
def test_the_motive_page_sends_nowhere_outside_the_product(client, shared, people, elsewhere):
    _, _, worked, _ = shared
    client.force_login(people.past_a)
    url = reverse("cases:motive", args=[worked.case.pk])
    given = client.post(url, {"reason": "meeting", "text": "", "suivant": elsewhere})
    assert given["Location"] == reverse("cases:detail", args=[worked.case.pk])
