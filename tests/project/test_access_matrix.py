"""The access matrix as one test: every URL pattern of the product × every role, GET and POST,
against one table of expected outcomes. The personas of Seine-Saint-Denis (``_a``) meet objects
of their own département; those of the Rhône (``_b``) the same objects, of another département.
An URL pattern missing from the table fails the test.

Outcomes: ``200`` shown (or ``400``: the form is read and answered), ``302`` sent on within the
product, ``L`` sent to the login page (the admin site's sends there, or refuses a signed-in user),
``403`` refused, ``404`` hidden, ``405`` method refused.
Anything but ``200``, ``400`` or ``302`` grants nothing.
"""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from tests.project.test_audit_coverage import NAMES, PAGES, context, personas, shared  # noqa: F401
from tests.project.test_file_reads import FILES

PEOPLE = ["coord_a", "member_a", "coord_b", "member_b", "mobile", "inspector", "national", "admin", "former",
          "outsider", None]
# Pages that only take a POST (their GET is refused), and the admin site's entry.
ARGS = {
    "logout": lambda c: [], "workflows:claim": lambda c: [c.review.pk], "workflows:release": lambda c: [c.review.pk],
    "mobile_team:claim": lambda c: [c.request.pk], "mobile_team:message": lambda c: [c.request.pk],
    "intake:confirm": lambda c: [],
    "intake_accounts:revoke": lambda c: [0],
    "cases:partner_note": lambda c: [c.case.pk],
    "cases:partner_action": lambda c: [c.case.pk, c.plan_action.pk],
    "cases:undo_merge": lambda c: [c.merge.pk],
    "admin:index": lambda c: [],
    "decide_recovery": lambda c: [0], "decide_proposal": lambda c: [0],
    "notifications:read_all": lambda c: [], "session_extend": lambda c: [],
    "vigilance:floor": lambda c: [],
    "workflows:bulk": lambda c: [], "workflows:save_view": lambda c: [], "workflows:delete_view": lambda c: [0],
}


@pytest.fixture(autouse=True)
def _healthy_however_long_the_module_runs(settings):
    """The health page is one of the URLs. Its data is built once, in a transaction left open for the
    module (``built_once``): its audit events stay unsealed and its e-mails queued as long as the module
    runs, which on a loaded machine passed the health page's limits (503). Those limits are
    tests/project/test_health.py's concern, not the matrix's."""
    settings.HEALTH_UNSEALED_SECONDS = settings.HEALTH_QUEUE_SECONDS = 10**9


# URL name: "GET/POST" for each of PEOPLE, in that order (the last one without a session).
EXPECTED = {
    "admin:index": "L/L L/L L/L L/L L/L L/403 L/L 200/200 L/L L/L L/L",
    "cases:action": "200/400 200/400 404/404 404/404 404/404 403/403 404/404 404/404 404/404 404/404 L/L",
    "cases:person": "200/405 200/405 404/405 404/405 404/405 200/403 404/405 404/405 404/405 404/405 L/L",
    "cases:family": "200/405 200/405 404/405 404/405 404/405 200/403 404/405 404/405 404/405 404/405 L/L",
    "cases:attachment": "200/405 200/405 404/405 404/405 404/405 200/403 404/405 404/405 404/405 404/405 L/L",
    "cases:export": "200/400 403/403 404/404 404/404 404/404 403/403 404/404 404/404 404/404 404/404 L/L",
    "cases:detail": "200/200 200/200 404/404 404/404 404/404 200/403 404/404 404/404 404/404 404/404 L/L",
    # Duplicate records: their département's coordinators only (the others are refused the list, and
    # find no record of the pair nor the merge).
    "cases:duplicates": "200/405 403/405 200/405 403/405 403/405 403/403 403/405 403/405 403/405 403/405 L/L",
    "cases:duplicate": "200/400 404/404 404/404 404/404 404/404 404/403 404/404 404/404 404/404 404/404 L/L",
    "cases:undo_merge": "405/302 405/404 405/404 405/404 405/404 405/403 405/404 405/404 405/404 405/404 L/L",
    "cases:intake": "200/400 403/403 200/400 403/403 403/403 403/403 403/403 403/403 403/403 403/403 L/L",
    "cases:list": "200/200 200/200 200/200 200/200 403/403 200/403 403/403 403/403 403/403 403/403 L/L",
    # A partner's note: none of these is a partner of the case (tests/cases/test_referral.py).
    "cases:partner_note": "405/404 405/404 405/404 405/404 405/404 405/403 405/404 405/404 405/404 405/404 L/L",
    "cases:partner_action": "405/404 405/404 405/404 405/404 405/404 405/403 405/404 405/404 405/404 405/404 L/L",
    "cases:motive": "200/400 200/400 404/404 404/404 404/404 200/403 404/404 404/404 404/404 404/404 L/L",
    "cases:transfer": "404/404 404/404 200/400 404/404 404/404 404/403 404/404 404/404 404/404 404/404 L/L",
    "cases:record_action": "200/400 200/400 404/404 404/404 404/404 403/403 404/404 404/404 404/404 404/404 L/L",
    "cell_detail": "200/200 200/200 404/404 404/404 404/404 200/403 200/200 200/200 404/404 404/404 L/L",
    # A missing institution: the cellule's coordinators propose it, the technical administrator decides.
    "institution_propose": "200/400 403/403 404/404 404/404 404/404 403/403 403/403 403/403 404/404 404/404 L/L",
    "institution_proposals": "403/405 403/405 403/405 403/405 403/405 403/403 403/405 200/405 403/405 403/405 L/L",
    "decide_proposal": "405/403 405/403 405/403 405/403 405/403 405/403 405/403 405/404 405/403 405/403 L/L",
    # A local prevention body's page and the exchanges with it: the cellule's coordinators (tests/cellule).
    "prevention:body": "200/400 403/403 404/404 403/403 403/403 403/403 403/403 403/403 403/403 403/403 L/L",
    # The charter: read by anyone signed in, accepted by whoever reads names (the form, empty: 400), the inspection too.
    "charter:page": "200/400 200/400 200/400 200/400 200/400 200/400 200/403 200/403 200/403 200/403 L/L",
    # Who accepted it in a cellule: its coordinators; the inspection under a mandate, read only.
    # The alerts on unusual reading: the cellule's coordinators (who examine them and set the floor),
    # the inspection read only; the Rhône's coordinator has a list, without the 93's alert.
    "vigilance:list": "200/405 404/405 200/405 404/405 404/405 200/403 404/405 404/405 404/405 404/405 L/L",
    "vigilance:detail": "200/400 404/404 404/404 404/404 404/404 200/403 404/404 404/404 404/404 404/404 L/L",
    "vigilance:floor": "405/400 405/403 405/400 405/403 405/403 405/403 405/403 405/403 405/403 405/403 L/L",
    "charter:acceptances": "200/405 404/405 404/405 404/405 404/405 200/403 404/405 404/405 404/405 404/405 L/L",
    "composition_export": "200/200 200/200 404/404 404/404 404/404 200/403 200/200 200/200 404/404 404/404 L/L",
    "home": "200/200 200/200 200/200 200/200 200/200 200/403 200/200 200/200 403/403 403/403 L/L",
    "inspection:case_timeline": "403/403 403/403 403/403 403/403 403/403 200/403 403/403 403/403 403/403 403/403 L/L",
    "inspection:export_bundle": "403/403 403/403 403/403 403/403 403/403 200/403 403/403 403/403 403/403 403/403 L/L",
    "inspection:verifier": "403/403 403/403 403/403 403/403 403/403 200/403 403/403 403/403 403/403 403/403 L/L",
    "inspection:export_csv": "403/403 403/403 403/403 403/403 403/403 200/403 403/403 403/403 403/403 403/403 L/L",
    "inspection:inspection_reads": "200/200 403/403 200/200 403/403 403/403 403/403 "
        "403/403 403/403 403/403 403/403 L/L",
    "inspection:integrity": "403/403 403/403 403/403 403/403 403/403 200/302 403/403 403/403 403/403 403/403 L/L",
    "inspection:search": "403/403 403/403 403/403 403/403 403/403 200/403 403/403 403/403 403/403 403/403 L/L",
    "inspection:user_activity": "403/403 403/403 403/403 403/403 403/403 200/403 403/403 403/403 403/403 403/403 L/L",
    **dict.fromkeys(["legal:accessibility", "legal:cookies", "legal:notice", "legal:personal_data", "legal:sitemap"],
                    "200/405 200/405 200/405 200/405 200/405 200/403 200/405 200/405 200/405 200/405 200/405"),
    "intake:import": "200/400 403/403 200/400 403/403 403/403 403/403 403/403 403/403 403/403 403/403 L/L",
    "intake:template": "200/405 403/405 200/405 403/405 403/405 403/403 403/405 403/405 403/405 403/405 L/L",
    "intake:confirm": "405/302 405/403 405/302 405/403 405/403 405/403 405/403 405/403 405/403 405/403 L/L",
    "intake_accounts:list": "403/403 403/403 403/403 403/403 403/403 403/403 403/403 200/400 403/403 403/403 L/L",
    "intake_accounts:revoke": "405/403 405/403 405/403 405/403 405/403 405/403 405/403 405/404 405/403 405/403 L/L",
    # The intake API: a token, never a session (401 without one); inspectors post nothing anywhere.
    "intake_api:api-root": "404/404 404/404 404/404 404/404 404/404 404/403 404/404 404/404 404/404 404/404 404/404",
    "intake_api:openapi-json": "200/405 200/405 200/405 200/405 200/405 200/403 "
        "200/405 200/405 200/405 200/405 200/405",
    "intake_api:submit": "405/401 405/401 405/401 405/401 405/401 405/403 405/401 405/401 405/401 405/401 405/401",
    "intake_api:unknown": "404/404 404/404 404/404 404/404 404/404 404/403 404/404 404/404 404/404 404/404 404/404",
    "intake_api:status": "401/405 401/405 401/405 401/405 401/405 401/403 401/405 401/405 401/405 401/405 401/405",
    "health": "200/405 200/405 200/405 200/405 200/405 200/403 200/405 200/405 200/405 200/405 200/405",
    "login": "200/200 200/200 200/200 200/200 200/200 200/403 200/200 200/200 200/200 200/200 200/200",
    "logout": "405/L 405/L 405/L 405/L 405/L 405/L 405/L 405/L 405/L 405/L L/L",
    "mandate_approve": "403/403 403/403 403/403 403/403 403/403 403/403 302/403 403/403 403/403 403/403 L/L",
    "mandates": "403/403 403/403 403/403 403/403 403/403 403/403 200/200 403/403 403/403 403/403 L/L",
    # The national level names the national roles; the administrators ask to get an account back, the
    # coordinators and the national level decide (tests/organisation/test_separation_of_duties.py).
    "national_roles": "403/403 403/403 403/403 403/403 403/403 403/403 200/200 403/403 403/403 403/403 L/L",
    "account_recoveries": "200/403 403/403 200/403 403/403 403/403 403/403 200/403 200/200 403/403 403/403 L/L",
    "decide_recovery": "405/404 405/404 405/404 405/404 405/404 405/403 405/404 405/404 405/404 405/404 L/L",
    "meetings:detail": "200/200 200/403 404/404 404/403 403/403 403/403 403/403 403/403 403/403 403/403 L/L",
    "meetings:list": "200/400 200/403 200/400 200/403 403/403 403/403 403/403 403/403 403/403 403/403 L/L",
    # A meeting's PDF: read as its page is, by the cellule's members; nothing is posted to it.
    "meetings:pdf": "200/405 200/405 404/405 404/405 403/405 403/403 403/405 403/405 403/405 403/405 L/L",
    # A meeting's decision: its owner (member_a) and the case's coordinators; coord_a's POST gives its follow-up,
    # after which member_a's is told it is done.
    "meetings:decision": "200/302 200/200 404/404 404/404 404/404 404/403 404/404 404/404 404/404 404/404 L/L",
    "meetings:minutes": "200/200 200/403 200/200 200/403 403/403 403/403 403/403 403/403 403/403 403/403 L/L",
    "mobile_team:action": "403/403 403/403 403/403 403/403 200/302 403/403 403/403 403/403 403/403 403/403 L/L",
    "mobile_team:message_attachment": "200/405 404/405 404/405 404/405 200/405 200/403 404/405 404/405 404/405 "
        "404/405 L/L",
    "mobile_team:all": "403/403 403/403 403/403 403/403 200/200 403/403 403/403 403/403 403/403 403/403 L/L",
    "mobile_team:claim": "405/403 405/403 405/403 405/403 405/302 405/403 405/403 405/403 405/403 405/403 L/L",
    "mobile_team:dashboard": "403/403 403/403 403/403 403/403 200/200 403/403 200/200 403/403 403/403 403/403 L/L",
    "mobile_team:message": "405/400 405/404 405/404 405/404 405/400 405/403 405/404 405/404 405/404 405/404 L/L",
    "mobile_team:mine": "403/403 403/403 403/403 403/403 200/200 403/403 403/403 403/403 403/403 403/403 L/L",
    "mobile_team:queue": "403/403 403/403 403/403 403/403 200/200 403/403 403/403 403/403 403/403 403/403 L/L",
    "mobile_team:request": "403/403 403/403 403/403 403/403 200/200 403/403 403/403 403/403 403/403 403/403 L/L",
    "national:export": "403/403 403/403 403/403 403/403 403/403 403/403 200/200 403/403 403/403 403/403 L/L",
    # The FIPD: a cellule's coordinators write its actions (another's is not found); the national level reads the
    # aggregate. The form posted empty is read and answered (400).
    "funding:list": "200/405 403/405 200/405 403/405 403/405 403/403 403/405 403/405 403/405 403/405 L/L",
    "funding:create": "200/400 403/403 200/400 403/403 403/403 403/403 403/403 403/403 403/403 403/403 L/L",
    "funding:edit": "200/400 404/404 404/404 404/404 404/404 404/403 404/404 404/404 404/404 404/404 L/L",
    "funding:export": "200/405 403/405 200/405 403/405 403/405 403/403 403/405 403/405 403/405 403/405 L/L",
    "funding:national": "403/405 403/405 403/405 403/405 403/405 403/403 200/405 403/405 403/405 403/405 L/L",
    "funding:national_export": "403/405 403/405 403/405 403/405 403/405 403/403 200/405 403/405 403/405 403/405 L/L",
    "national:view": "403/403 403/403 403/403 403/403 403/403 403/403 200/200 403/403 403/403 403/403 L/L",
    "password_reset_complete": "200/405 200/405 200/405 200/405 200/405 200/403 "
        "200/405 200/405 200/405 200/405 200/405",
    "password_reset_confirm": "200/200 200/200 200/200 200/200 200/200 200/403 200/200 200/200 200/200 200/200 200/200",
    # One's own sessions (inspectors too end theirs); a member's, for their coordinator and the administrator.
    "sessions": "200/400 200/400 200/400 200/400 200/400 200/400 200/400 200/400 200/400 200/400 L/L",
    # « Prolonger la session » before the idle timeout: any signed-in person, the inspector too (a session, not data).
    "session_extend": "405/200 405/200 405/200 405/200 405/200 405/200 405/200 405/200 405/200 405/200 L/L",
    "account_sessions": "200/400 200/400 404/404 404/404 404/404 404/403 404/404 200/400 404/404 404/404 L/L",
    # The accounts: the technical administrator's pages (a POST to the list is no action).
    "account_list": "403/405 403/405 403/405 403/405 403/405 403/403 403/405 200/405 403/405 403/405 L/L",
    "account_create": "403/403 403/403 403/403 403/403 403/403 403/403 403/403 200/200 403/403 403/403 L/L",
    "account_detail": "404/404 404/404 404/404 404/404 404/404 404/403 404/404 200/400 404/404 404/404 L/L",
    "account_edit": "404/404 404/404 404/404 404/404 404/404 404/403 404/404 200/200 404/404 404/404 L/L",
    "second_factor_enrol": "200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 L/L",
    "second_factor_verify": "302/302 302/302 302/302 302/302 302/302 302/302 302/302 302/302 302/302 302/302 L/L",
    "reports:dashboard": "200/200 403/403 200/200 403/403 403/403 403/403 403/403 403/403 403/403 403/403 L/L",
    "reports:detail": "200/302 403/403 200/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403 L/L",
    "reports:export": "200/200 403/403 200/200 403/403 403/403 403/403 403/403 403/403 403/403 403/403 L/L",
    "reports:list": "200/200 403/403 200/200 403/403 403/403 403/403 403/403 403/403 403/403 403/403 L/L",
    # Support groups: the coordinators' (a POST creates one), and their facilitators' (tests/cellule/
    # test_support_group_runners.py); none here facilitates the 93's group, which the Rhône's do not find.
    "support_groups:list": "200/400 403/403 200/400 403/403 403/403 403/403 403/403 403/403 403/403 403/403 L/L",
    "support_groups:detail": "200/400 404/404 404/404 404/404 404/404 404/403 404/404 404/404 404/404 404/404 L/L",
    "workflows:claim": "405/404 405/302 405/404 405/404 405/404 405/403 405/404 405/404 405/404 405/404 L/L",
    "workflows:cellule": "200/200 403/403 200/200 403/403 403/403 403/403 403/403 403/403 403/403 403/403 L/L",
    "workflows:done": "200/200 200/200 200/200 200/200 200/200 200/403 200/200 200/200 200/200 200/200 L/L",
    "retention:export": "200/405 404/405 404/405 404/405 404/405 404/403 404/405 404/405 404/405 404/405 L/L",
    "retention:persons": "200/405 404/405 404/405 404/405 404/405 404/403 404/405 404/405 404/405 404/405 L/L",
    "retention:rectify": "200/400 404/404 404/404 404/404 404/404 404/403 404/404 404/404 404/404 404/404 L/L",
    "workflows:inbox": "200/200 200/200 200/200 200/200 200/200 200/403 200/200 200/200 200/200 200/200 L/L",
    "workflows:queue": "200/200 200/200 200/200 200/200 200/200 200/403 200/200 200/200 200/200 200/200 L/L",
    "workflows:release": "405/403 405/403 405/404 405/404 405/404 405/403 405/404 405/404 405/404 405/404 L/L",
    # One's own notifications, for whoever holds a role; another's answers 404 (member_a's is opened here).
    "notifications:list": "200/200 200/200 200/200 200/200 200/200 200/403 200/200 200/200 403/403 403/403 L/L",
    "notifications:open": "404/404 302/302 404/404 404/404 404/404 404/403 404/404 404/404 404/404 404/404 L/L",
    "notifications:read_all": "405/302 405/302 405/302 405/302 405/302 405/403 405/302 405/302 405/403 405/403 L/L",
    "notifications:preferences": "200/400 200/400 200/400 200/400 200/400 200/403 200/400 200/400 403/403 403/403 L/L",
    # The search: whoever reads cases (the box alone here; its scope: tests/project/test_search.py).
    "search": "200/405 200/405 200/405 200/405 403/405 200/403 403/405 403/405 403/405 403/405 L/L",
    # The ticked tasks, nothing ticked: the list again, with its message (tests/workflows/test_lists.py).
    "workflows:bulk": "405/302 405/302 405/302 405/302 405/302 405/403 405/302 405/302 405/302 405/302 L/L",
    # Saving a view (here of no list: refused with a message) needs a cellule; no view 0 to remove.
    "workflows:save_view": "405/302 405/302 405/302 405/302 405/403 405/403 405/403 405/403 405/403 405/403 L/L",
    "workflows:delete_view": "405/404 405/404 405/404 405/404 405/404 405/403 405/404 405/404 405/404 405/404 L/L",
    "workflows:task": "404/404 302/302 404/404 404/404 404/404 404/403 404/404 404/404 404/404 404/404 L/L",
}


def outcome(response) -> str:
    if response.status_code == 302:
        login = urlsplit(response["Location"]).path in (reverse("login"), reverse("admin:login"))
        return "L" if login else "302"
    return str(response.status_code)


def test_every_url_pattern_answers_each_role_as_the_table_says(personas, context):  # noqa: F811
    names = sorted({name for name in NAMES if not name.startswith("admin:")} | {"admin:index"})
    assert [name for name in names if name not in EXPECTED] == []  # an unlisted view fails here
    found, requests, downloads = {}, 0, set()
    for name in names:
        args = (ARGS.get(name) or PAGES[name][1])(context)
        url, row = reverse(name, args=args), []
        for person in PEOPLE:
            client = Client(raise_request_exception=False)
            if person:
                client.force_login(getattr(personas, person))
            got = client.get(url)
            if got.get("Content-Disposition", "").startswith("attachment"):
                downloads.add(name)
            row.append(f"{outcome(got)}/{outcome(client.post(url, {}))}")
            requests += 2
        found[name] = " ".join(row)
    assert found == {name: EXPECTED[name] for name in names}
    assert requests > 900  # every pattern, every role, both methods
    # Every file served answers as the page that lists it (tests/project/test_file_reads.py walks them).
    assert downloads == set(FILES)


# A partner: a member of the 93 cellule whose institution runs the case's care measure,
# oriented on the young person's adhesion. They answer as a member who is not the case's référent (the
# table's member_a is), but for the partner's part of the case.
PARTNER = {
    "cases:detail": "200/200",  # the partner's page
    "cases:person": "404/405",  # the young person's page is the cellule's: the partner has their part of one case
    "cases:family": "404/405",  # and so is the family's
    "cases:attachment": "404/405",  # the note is the cellule's: not shared with the partner
    "cases:partner_note": "405/400",  # the form is read and answered
    "cases:partner_action": "405/400",  # the action their measure carries: the form is read and answered
    "cases:action": "404/404", "cases:record_action": "404/404", "cases:motive": "404/404", "cases:export": "404/404",
    "workflows:task": "404/404", "workflows:claim": "405/404", "workflows:release": "405/404",
    "account_sessions": "404/404",  # member_a's own sessions: the table's member_a is their owner
    "meetings:decision": "404/404",  # member_a's decision: the table's member_a is its owner
    "notifications:open": "404/404",  # member_a's notification: the table's member_a is its recipient
}


def test_a_partner_answers_as_the_table_says(personas, context):  # noqa: F811
    from tests.organisation.factories import MembershipFactory

    partner = MembershipFactory(cell=personas.cell_a, institution=context.measure.institution).user
    names = sorted(EXPECTED)  # every pattern: the test above checks the table lists them all
    found, expected = {}, {}
    for name in names:
        client = Client(raise_request_exception=False)
        client.force_login(partner)
        url = reverse(name, args=(ARGS.get(name) or PAGES[name][1])(context))
        found[name] = f"{outcome(client.get(url))}/{outcome(client.post(url, {}))}"
        expected[name] = PARTNER.get(name, EXPECTED[name].split()[PEOPLE.index("member_a")])
    assert found == expected
