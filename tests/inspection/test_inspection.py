"""The inspectors' review of the trail: scope of the mandate, reads traced, read-only for real;
and the motive asked when a case outside one's own work is opened."""

import datetime
import re
import zoneinfo
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import audit
from audit.models import Event
from cases import actions
from cases.models import Case
from cases.rules import needs_motive
from tests.cases.factories import CaseFactory
from tests.organisation.factories import MandateFactory, MembershipFactory
from tests.urls import walk
from workflows import tasks

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


@pytest.fixture
def cases(personas):
    mine = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    other = CaseFactory(coordinator=personas.coord_b)
    return mine, other


def test_the_search_shows_the_mandates_departements_only_and_is_itself_traced(client, personas, cases):
    mine, other = cases
    client.force_login(personas.inspector)
    page = client.get(reverse("inspection:search"), {"action": "case.intake"}).content.decode()
    assert mine.reference in page and other.reference not in page
    read = Event.objects.filter(action="audit.search").latest("id")
    assert (read.actor, read.departement, read.actor_role) == (personas.inspector, "93", "inspector")
    by_user = client.get(reverse("inspection:search"), {"user": "coord_b"}).content.decode()
    assert "Aucun événement." in by_user


def test_the_case_timeline_is_readable(client, personas, cases):
    mine, _ = cases
    client.force_login(personas.inspector)
    page = client.get(reverse("inspection:case_timeline", args=[mine.reference])).content.decode()
    assert re.search(f"Référent : [^<]+ → {personas.member_a.get_full_name()} \\(member_a\\)", page)
    assert "Famille contactée : Reçu → Famille contactée" in page
    client.get(reverse("cases:detail", args=[mine.pk]))
    again = client.get(reverse("inspection:case_timeline", args=[mine.reference])).content.decode()
    assert "Consultation du signalement" in again and f"Mandat d&#x27;inspection {personas.mandate.reference}" in again


def test_outside_the_mandate_is_a_404_and_recorded(client, personas, cases):
    _, other = cases
    client.force_login(personas.inspector)
    for url in (reverse("inspection:case_timeline", args=[other.reference]), reverse("cases:detail", args=[other.pk])):
        assert client.get(url).status_code == 404
    assert Event.objects.filter(action="access.denied", actor=personas.inspector, departement="69").count() == 2


def test_an_expired_mandate_opens_nothing(client, personas, cases):
    inspector = MembershipFactory(inspector=True, user__username="ancien_inspecteur").user
    MandateFactory(inspector=inspector, ends_on=datetime.date(2025, 1, 31))
    client.force_login(inspector)
    assert client.get(reverse("inspection:search")).status_code == 403
    assert client.get(reverse("cases:detail", args=[cases[0].pk])).status_code == 404


def test_user_activity_and_integrity(client, personas, cases):
    call_command("verify_audit", stdout=StringIO())
    client.force_login(personas.inspector)
    activity = client.get(reverse("inspection:user_activity", args=["coord_a"])).content.decode()
    assert "Référent désigné" in activity and cases[1].reference not in activity
    integrity = client.get(reverse("inspection:integrity")).content.decode()
    assert "Chaîne intègre" in integrity
    # What came after the check (its own event, these two pages' reads) waits for the sealer.
    assert re.search(r"En attente de scellement : [3-9]\d* événements, le plus ancien depuis \d+ s\.",
                     " ".join(integrity.split()))
    call_command("seal_audit", stdout=StringIO())
    integrity = client.get(reverse("inspection:integrity")).content.decode()
    assert "Aucun événement en attente de scellement" in integrity


def test_coordinators_see_what_the_inspection_consulted_in_their_departement(client, personas, cases):
    inspector = Client()
    inspector.force_login(personas.inspector)
    inspector.get(reverse("cases:detail", args=[cases[0].pk]))
    client.force_login(personas.coord_a)
    page = client.get(reverse("inspection:inspection_reads")).content.decode()
    assert "Consultation du signalement" in page and "inspector" in page
    client.force_login(personas.coord_b)
    assert "Consultation du signalement" not in client.get(reverse("inspection:inspection_reads")).content.decode()
    client.force_login(personas.member_a)
    assert client.get(reverse("inspection:inspection_reads")).status_code == 403


UNSAFE = ["post", "put", "patch", "delete"]


def test_inspectors_cannot_write_anywhere(personas, cases):
    client = Client()
    client.force_login(personas.inspector)
    # Their own login and their own sessions (tests/organisation/test_sessions.py), not the cases'.
    signing_in = {"logout", "second_factor_enrol", "second_factor_verify", "sessions", "session_extend",
                  "charter:page"}  # and accepting the confidentiality charter, which they must
    urls = sorted({path for path, name in walk() if name not in signing_in})
    checked = 0
    for path in urls:
        path = path.replace("/93/", f"/{cases[0].pk}/") if path.startswith("/signalements/") else path
        for method in UNSAFE:
            if (method, path) == ("post", reverse("inspection:integrity")):
                continue  # "Vérifier maintenant": tests/inspection/test_integrity.py
            assert getattr(client, method)(path).status_code == 403, (method, path)
            checked += 1
    assert Event.objects.filter(action="access.denied", actor=personas.inspector).count() == checked
    assert client.post(reverse("logout")).status_code == 302


def test_inspectors_cannot_reach_the_admin(client, personas):
    client.force_login(personas.inspector)
    assert client.get(reverse("admin:index"), follow=True).status_code == 403


def test_opening_a_case_outside_ones_own_work_asks_why(client, personas):
    designated = MembershipFactory(cell=personas.cell_a, contacts_families=True, user__username="designee").user
    case = CaseFactory(coordinator=personas.coord_a)
    task = tasks.claim(designated, case.tasks.get(flow_task_name="contact_family"))
    client.force_login(designated)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200  # holding its task
    actions.record_family_contact(designated, case, on=timezone.localdate(), channel="phone", outcome="reached")
    task.refresh_from_db()
    assert task.status == "DONE"
    later = Client()
    later.force_login(designated)
    response = later.get(reverse("cases:detail", args=[case.pk]))
    assert response["Location"].split("?")[0] == reverse("cases:motive", args=[case.pk])
    refused = later.post(reverse("cases:motive", args=[case.pk]), {"reason": "other", "text": ""})
    assert refused.status_code == 400 and "Précisez le motif" in refused.content.decode()
    later.post(reverse("cases:motive", args=[case.pk]), {"reason": "replacement", "text": "Congé de S. Leroy"})
    assert later.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    view = Event.objects.filter(action="case.view", actor=designated).latest("id")
    assert view.details["motif"] == "Reprise du suivi (absence ou remplacement d'un collègue)"
    assert "Leroy" not in str(view.details)  # the précision is kept beside the trail (tests/cases/test_event_texts.py)


def test_no_motive_for_ones_own_work(client, personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    for user in (personas.coord_a, personas.member_a):
        client.force_login(user)
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert all("motif" not in e.details for e in Event.objects.filter(action="case.view"))


def test_the_search_finds_a_person_by_account_and_a_command_by_its_label(client, personas, cases):
    with audit.acting(label="verify_audit"):
        audit.record("audit.verify", departement="93")
    client.force_login(personas.inspector)
    by_person = client.get(reverse("inspection:search"), {"user": "coord_a"}).content.decode()
    assert cases[0].reference in by_person
    by_label = client.get(reverse("inspection:search"), {"user": "verify_audit", "action": "audit.verify"})
    assert "Vérification de l&#x27;intégrité du journal" in by_label.content.decode()
    assert cases[0].reference not in by_label.content.decode()


def test_a_day_of_the_search_is_the_local_day(client, personas):
    late = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))  # 21:30 UTC
    with time_machine.travel(late, tick=False):
        audit.record("case.view", departement="93", details={"signalement": "93-2026-9999"})
    personas.mandate.starts_on = datetime.date(2026, 1, 1)
    personas.mandate.save()
    client.force_login(personas.inspector)
    for first, last, found in [("2026-06-30", "2026-06-30", True), ("2026-07-01", "2026-07-31", False),
                               ("2026-06-01", "2026-06-29", False)]:
        page = client.get(reverse("inspection:search"), {"reference": "93-2026-9999", "start": first, "end": last})
        assert ("30/06/2026 23:30:00" in page.content.decode()) is found, (first, last)


def test_a_members_list_names_only_the_cases_they_may_open_without_a_motive(client, personas):
    designated = MembershipFactory(cell=personas.cell_a, contacts_families=True, user__username="designee").user
    done, held = CaseFactory(coordinator=personas.coord_a), CaseFactory(coordinator=personas.coord_a)
    tasks.claim(designated, done.tasks.get(flow_task_name="contact_family"))
    actions.record_family_contact(designated, done, on=timezone.localdate(), channel="phone", outcome="reached")
    tasks.claim(designated, held.tasks.get(flow_task_name="contact_family"))
    client.force_login(designated)
    page = client.get(reverse("cases:list")).content.decode()
    rows = {case: re.search(rf"<tr>\s*<td[^>]*><a [^>]*>{case.reference}</a>.*?</tr>", page, re.S).group(0)
            for case in (done, held)}
    assert str(done.person) not in rows[done] and "Nom affiché après le motif" in rows[done]  # motive asked
    assert str(held.person) in rows[held]

    # Nor can the name be searched to find the case it belongs to.
    found = client.get(reverse("cases:list"), {"q": done.person.last_name}).content.decode()
    assert done.reference not in found and held.reference in found
    assert done.reference in client.get(reverse("cases:list"), {"q": done.reference}).content.decode()


def test_the_motive_rule_and_its_query_agree_for_everyone(personas):
    designated = MembershipFactory(cell=personas.cell_a, contacts_families=True, user__username="designee").user
    cases = [CaseFactory(coordinator=personas.coord_a), CaseFactory(coordinator=personas.coord_a,
                                                                    referent=personas.member_a, assigned=True),
             CaseFactory(coordinator=personas.coord_b)]
    tasks.claim(designated, cases[0].tasks.get(flow_task_name="contact_family"))
    for user in [designated, personas.coord_a, personas.member_a, personas.coord_b, personas.inspector]:
        listed = set(Case.objects.filter(Case.objects.open_without_motive(user)).filter(pk__in=[c.pk for c in cases]))
        assert listed == {c for c in cases if not needs_motive(user, c)}, user


def test_the_events_table_escapes_what_a_row_holds_and_links_each_author_and_case():
    """The table's rows are written by ``inspection_tags.event_rows``: whatever the trail holds (a row written
    around the recorder may hold any text) is escaped; a role the product does not know is shown as written."""
    from inspection.templatetags.inspection_tags import event_rows
    at = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)
    odd = Event(time=at, actor_id=7, actor_label="<b>x</b>", actor_role="<i>r</i>", actor_cell="93",
                action="case.view", departement="93", details={"signalement": "<script>"})
    odd.case_reference = ""
    plain = Event(time=at, actor_label="système", actor_role="coordinator", action="case.view", details={})
    plain.case_reference = "93-2026-0001"
    html = str(event_rows([odd, plain], link_users=True, link_cases=True))
    assert "<b>" not in html and "<script>" not in html and "<i>" not in html
    assert "href" not in html.split("<tr>")[1]  # a name with a slash has no address: shown, not linked
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "(&lt;i&gt;r&lt;/i&gt;, 93)" in html and "— &lt;script&gt;" in html
    assert '<td data-label="Date (heure de Paris)">02/03/2026 00:30:00</td>' in html  # Paris's time
    assert '<a href="/audit/signalements/93-2026-0001/">93-2026-0001</a>' in html
    assert "(Coordination de la cellule)" in html
    assert '<td data-label="Rang">—</td>' in html
    assert str(event_rows([])) == '<tr><td colspan="5">Aucun événement.</td></tr>'
