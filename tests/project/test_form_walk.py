"""Every form of the product, posted by the role that may post it, with an over-long value in each
text field and then nothing chosen in each choice: a French error, a refusal or
the change itself, never a 5xx.

The forms are read from the pages themselves: the pages of the URL walk (``tests/urls.py`` through
``PAGES``, each opened by its role), each case action in the state that offers it
(``tests/cases/test_bad_input.py``'s table), each action of the mobile team, and a few pages only a
situation shows (a partner's case, an import's dry run, an invitation's link, a task to release…).
Each variation changes one field of a valid submission (the case actions' from that table, the
others as the page fills them, blanks given a plausible value and a few fields known: ``VALID``),
so that a field without a bound of its own goes through to the entry point and its column. SQLite
stores a text longer than its column where PostgreSQL answers 500: the walk refuses it on both
(``_bounded_columns``); so it found the login's username. A URL pattern taking a POST that no
walked page posts to fails ``test_the_walk_finds_a_form_for_every_url_that_takes_one``.
"""

import datetime
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError
from django.db.models import CharField
from django.db.models.signals import pre_save
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cellule import actions as cellule
from intake.actions import accounts as intake_accounts
from organisation import accounts
from organisation import actions as organisation
from organisation.models import Departement, InstitutionProposal, Mandate
from tests.cases.factories import CaseFactory
from tests.cases.test_bad_input import FORMS, prepare
from tests.cases.test_bad_input import resolve as valid_data
from tests.conftest import PASSWORD
from tests.intake.test_import import as_csv, row
from tests.mobile_team.factories import mobile_request
from tests.organisation.factories import MembershipFactory, UserFactory
from tests.project.test_audit_coverage import NAMES, PAGES, context, personas, shared  # noqa: F401
from workflows import saved_views, tasks

TODAY = timezone.localdate().isoformat()
LONGEST = 10_000  # a text field without a bound of its own: longer than any column of the product
TEXT = {"text", "search", "password", "hidden", "email", "tel", "url", "number", "date", "datetime-local", "time",
        "textarea", None}
# The mobile team's actions and the state of the request that offers each.
TEAM = {"accepter": "claimed", "decliner": "claimed", "planifier": "accepted", "modifier-intervention": "scheduled",
        "compte-rendu": "scheduled", "terminer": "reported"}
def overlong(field: dict) -> str:
    """The longest value the form lets through (its ``maxlength``), or far more without one; of the
    field's kind, so that the value passes everything but its length."""
    size = int(field.get("maxlength") or LONGEST)
    kind = field["type"]
    if kind == "email":  # Django's validator takes up to 320 characters, columns often 254
        return "a" * (min(size, 320) - 11) + "@exemple.fr"
    if kind in ("number", "hidden"):
        return "9" * min(size, 40)  # beyond any integer column
    if kind == "tel":
        return "0" + "6" * (size - 1)
    if kind == "url":
        return "https://exemple.fr/" + "a" * size
    if kind in ("date", "datetime-local", "time"):
        return TODAY + "9" * size
    return "é" * size


# --- Reading a page's forms ------------------------------------------------------------------------

class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.form = self.select = self.textarea = None

    def handle_starttag(self, tag, attrs) -> None:
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.form = {"method": attrs.get("method", "get").lower(), "action": attrs.get("action", ""),
                         "fields": [], "buttons": []}
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "input" and "name" in attrs and "disabled" not in attrs:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "image", "button", "reset"):
                self.form["buttons"].append((attrs["name"], attrs.get("value", "")))
            else:
                self.form["fields"].append({**attrs, "type": kind})
        elif tag == "button" and "name" in attrs:
            self.form["buttons"].append((attrs["name"], attrs.get("value", "")))
        elif tag == "textarea" and "name" in attrs and "disabled" not in attrs:
            self.textarea = {**attrs, "type": "textarea", "value": ""}
            self.form["fields"].append(self.textarea)
        elif tag == "select" and "name" in attrs and "disabled" not in attrs:
            self.select = {**attrs, "type": "select", "options": []}
            self.form["fields"].append(self.select)
        elif tag == "option" and self.select is not None:
            self.select["options"].append((attrs.get("value", ""), "selected" in attrs))

    def handle_data(self, data) -> None:
        if self.textarea is not None:
            self.textarea["value"] += data

    def handle_endtag(self, tag) -> None:
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def post_forms(page: str, url: str) -> list[dict]:
    """The page's POST forms but the header's sign-out, each with the path it posts to."""
    parser = _Forms()
    parser.feed(page)
    found = []
    for form in parser.forms:
        path = urlsplit(form["action"]).path or urlsplit(url).path
        if form["method"] == "post" and path != reverse("logout"):
            fields = [field for field in form["fields"] if field["name"] != "csrfmiddlewaretoken"]
            found.append({**form, "fields": fields, "path": path})
    return found


def base(form: dict, valid: dict | None = None, complete: bool = False) -> dict[str, list[str]]:
    """The form as the page fills it, blanks given a plausible value (unless ``valid`` is
    ``complete``: a whole valid submission) and the first choice taken where none is, then what
    ``valid`` holds: what each variation changes one field of."""
    data: dict[str, list[str]] = {}
    for field in form["fields"]:
        name, kind = field["name"], field["type"]
        if name == "csrfmiddlewaretoken":
            continue
        if kind == "select":
            chosen = [value for value, selected in field["options"] if selected and value]
            given = [value for value, _ in field["options"] if value]
            data[name] = chosen or ([] if complete else given[:1])
        elif kind in ("radio", "checkbox"):
            if "checked" in field or (kind == "checkbox" and "required" in field):
                data.setdefault(name, []).append(field.get("value", "on"))
            elif kind == "radio" and name not in data and not complete:
                data[name] = [field.get("value", "on")]
        elif kind == "file":
            continue
        else:
            data[name] = [field.get("value", "").strip() or ("" if complete else PLAUSIBLE.get(kind, "Texte saisi."))]
    for name, value in (valid or {}).items():
        data[name] = [str(item) for item in value] if isinstance(value, list) else [str(value)]
    return {name: values for name, values in data.items() if values != ["None"]}


PLAUSIBLE = {"date": TODAY, "datetime-local": f"{TODAY}T10:00", "time": "10:00", "email": "agent@exemple.fr",
             "number": "1", "tel": "06 12 34 56 78", "url": "https://exemple.fr/", "hidden": ""}


def variations(form: dict) -> list[tuple[str, dict]]:
    """One field over-long at a time, then one choice left empty at a time; a form without a field
    (a button: claim, release, approve) as it is."""
    start = base(form, form["valid"], form["complete"])
    found = []
    for field in form["fields"]:
        name, kind = field["name"], field["type"]
        if name == "csrfmiddlewaretoken" or kind not in TEXT:
            continue
        found.append((f"{name} trop long", {**start, name: [overlong(field)]}))
    for name in dict.fromkeys(f["name"] for f in form["fields"] if f["type"] in ("select", "radio", "checkbox")):
        found.append((f"{name} vide", {key: value for key, value in start.items() if key != name}
                      | ({name: [""]} if any(f["name"] == name and f["type"] == "select" for f in form["fields"])
                         else {})))
    return found or [("tel quel", start)]


# --- Where the forms are ---------------------------------------------------------------------------

def _page(name: str):
    role, args, _ = PAGES[name]
    return lambda p, c: (role, reverse(name, args=args(c)))


def _case_action(slug: str):
    def open_(p, c):
        ctx, url = prepare(p, slug)
        return FORMS[slug][1], url, valid_data(FORMS[slug][2], ctx)
    return open_


def _team_action(slug: str):
    def open_(p, c):
        request = mobile_request(p.coord_a, p.mobile, TEAM[slug])
        return "mobile", reverse("mobile_team:action", args=[request.pk, slug])
    return open_


def _partner(p, c):
    partner = MembershipFactory(cell=p.cell_a, institution=c.measure.institution, user__username="partenaire").user
    return partner, reverse("cases:detail", args=[c.case.pk])


def _dry_run(p, c):
    client = _client(p, "coord_a")
    page = client.post(reverse("intake:import"), {"spreadsheet": SimpleUploadedFile(
        "cellule.csv", as_csv(row()), content_type="text/csv")})
    return "coord_a", page


def _invitation(p, c):
    invited = UserFactory(username="invitee", password=None)
    invited.set_unusable_password()
    invited.save()
    return None, reverse("password_reset_confirm", args=[urlsafe_base64_encode(force_bytes(invited.pk)),
                                                         default_token_generator.make_token(invited)])


def _account(p, c):
    intake_accounts.create_account(p.admin, name="cnapr-93", source="cnapr", departement=p.cell_a.departement)
    return "admin", reverse("intake_accounts:list")


def _mandate_to_approve(p, c):
    requester = MembershipFactory(national=True).user
    organisation.request_mandate(requester, Mandate(
        reference="IGA-2026-09", inspector=p.inspector, starts_on=timezone.localdate(),
        ends_on=timezone.localdate(), reviews_from=timezone.localdate(), reviews_until=timezone.localdate()),
        Departement.objects.filter(code="93"))
    return "national", reverse("mandates")


def _recovery_to_decide(p, c):
    accounts.request_recovery(p.admin, p.member_a, kind="second_factor", reason="Téléphone perdu.")
    return "coord_a", reverse("account_recoveries")


def _support_group(p, c):
    """A session, as the group's facilitator records it (the coordinator's form is the page's)."""
    facilitator = MembershipFactory(cell=p.cell_a, institution=c.measure.institution)
    group = cellule.create_support_group(p.coord_a, p.cell_a, name="Groupe de l'association",
                                         institution=c.measure.institution, facilitator=facilitator)
    return facilitator.user, reverse("support_groups:detail", args=[group.pk])


def _proposal_to_decide(p, c):
    organisation.propose_institution(p.coord_a, p.cell_a, InstitutionProposal(name="CAF de la Seine-Saint-Denis",
                                                                           category="state"))
    return "admin", reverse("institution_proposals")


def _claimed_task(p, c):
    tasks.claim(p.coord_a, CaseFactory(coordinator=p.coord_a).tasks.get(flow_task_name="contact_family"))
    return "coord_a", reverse("workflows:inbox")


SOURCES: dict[str, Callable] = {
    **{f"page:{name}": _page(name) for name in PAGES if not name.startswith(("second_factor", "intake_api"))},
    # The forms only a situation shows.
    **{f"case:{slug}": _case_action(slug) for slug in FORMS},
    **{f"team:{slug}": _team_action(slug) for slug in TEAM},
    "partner": _partner,
    "dry-run": _dry_run,
    "invitation": _invitation,
    "account-to-revoke": _account,
    "support-group": _support_group,
    "mandate-to-approve": _mandate_to_approve,
    "recovery-to-decide": _recovery_to_decide,
    "proposal-to-decide": _proposal_to_decide,
    "task-to-release": _claimed_task,
    # Someone given a role who has not accepted the charter: any page leads to it.
    "charter-to-accept": lambda p, c: (MembershipFactory(cell=p.cell_a, charter_accepted=False).user, reverse("home")),
    "saved-view": lambda p, c: ("coord_a", reverse("cases:list") + "?vue={}".format(saved_views.save_view(
        p.coord_a, "cases", "Reçus", "state=received").pk)),  # its author may remove it
    # A planned meeting: its decisions and presences are recorded on its page (a closed one is read).
    "planned-meeting": lambda p, c: ("coord_a", reverse("meetings:detail", args=[cellule.schedule_meeting(
        p.coord_a, p.cell_a, held_at=timezone.now() + datetime.timedelta(days=3), cases=[c.case]).pk])),
    "request-to-claim": lambda p, c: ("mobile", reverse("mobile_team:request", args=[mobile_request(
        p.coord_a, p.mobile).pk])),
    "request-thread": lambda p, c: ("coord_a", reverse("cases:detail", args=[mobile_request(
        p.coord_a, p.mobile, "claimed").case_id])),
}


def _client(p, role) -> Client:
    """Signed in as a persona (by name), a user, or nobody."""
    client = Client(raise_request_exception=False)
    if role:
        client.force_login(getattr(p, role) if isinstance(role, str) else role)
    return client


def forms_of(p, c, source: str) -> tuple[Client, list[dict]]:
    """The client of the role that opens the source's page, and the page's forms, each with what
    a valid submission holds (``valid``) where the heuristics of ``base`` do not make one."""
    role, opened, *given = SOURCES[source](p, c)
    client = _client(p, role)
    if isinstance(opened, str):
        response = client.get(opened, follow=True)
        assert response.status_code == 200, (source, opened, response.status_code)
        url = response.redirect_chain[-1][0] if response.redirect_chain else opened
    else:  # a page already answered (a POST's)
        response, url = opened, reverse("intake:import")
    if not response["Content-Type"].startswith("text/html"):
        return client, []  # a download
    forms = post_forms(response.content.decode(), url)
    for form in forms:
        known = VALID.get(resolve_name(form["path"]), {})
        form["valid"] = {**(known(p, c) if callable(known) else known), **(given[0] if given else {})}
        form["complete"] = bool(given)
    return client, forms


def resolve_name(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return path


# What a valid submission holds where the page's own values and the heuristics of ``base`` are not one.
VALID = {
    # An account of the walk's own, with the tests' password.
    "login": lambda p, c: {"username": UserFactory(username="marcheur").username, "password": PASSWORD},
    "cell_detail": lambda p, c: {"email": p.outsider.email, "username": "nouvelle.personne"},
    "mandates": lambda p, c: {"inspector": p.inspector.email, "reference": "IGA-2026-11"},
    "intake_accounts:list": {"name": "cnapr-94"},
    "institution_propose": {"name": "CLSPD de Pantin", "category": "local_prevention"},
    "mobile_team:message": {"text": "Pouvez-vous rappeler la cellule ?"},
    # An action of the FIPD: its operator chosen from the list, no amount granted while it is proposed.
    **dict.fromkeys(["funding:create", "funding:edit"],
                    {"operator_name": "", "amount_granted": "", "status": "proposed"}),
}


@pytest.fixture(autouse=True)
def _bounded_columns():
    """A text longer than its column fails on SQLite as it does on PostgreSQL."""
    def check(sender, instance, **kwargs) -> None:
        for field in sender._meta.concrete_fields:
            value = getattr(instance, field.attname, None)
            if isinstance(field, CharField) and field.max_length and isinstance(value, str) and (
                    len(value) > field.max_length):
                raise DataError(f"{sender.__name__}.{field.name} : {len(value)} > {field.max_length} caractères")
    pre_save.connect(check, weak=False, dispatch_uid="test_form_walk")
    yield
    pre_save.disconnect(dispatch_uid="test_form_walk")


@pytest.mark.parametrize("source", SOURCES)
def test_no_form_answers_a_5xx_to_overlong_text_or_an_empty_choice(personas, context, source):  # noqa: F811
    client, forms = forms_of(personas, context, source)
    failures, posted = [], 0
    for form in forms:
        buttons = form["buttons"] or [None]
        for button in buttons:
            for what, data in variations(form):
                data = {**data, **({button[0]: [button[1]]} if button else {})}
                response = client.post(form["path"], data)
                posted += 1
                if response.status_code >= 500:
                    failures.append((form["path"], button, what, response.status_code))
    assert failures == []
    assert posted or not forms


def test_the_walk_finds_a_form_for_every_url_that_takes_one(personas, context):  # noqa: F811
    found = {resolve_name(form["path"]) for source in SOURCES for form in forms_of(personas, context, source)[1]}
    # Left out: the technical admin's site (ModelForms bounded by their models; tests/project/test_admin.py)
    # and the second factor's code form (tests/project/test_second_factor.py).
    expected = {name for name in NAMES if not name.startswith(("admin:", "second_factor_"))} - WITHOUT_FORM
    assert sorted(expected - found) == [] and sorted(found - expected - {"logout"}) == []


# URL patterns no form posts to: pages that only show, downloads, the intake API (JSON with a token,
# its contract walked by tests/intake/test_contract.py), and signing out (a button, no field).
WITHOUT_FORM = {
    "cases:attachment", "cases:detail", "cases:family", "cases:list", "cases:person", "composition_export", "health",
    "home", "inspection:case_timeline", "inspection:export_bundle", "inspection:export_csv", "inspection:verifier",
    "inspection:inspection_reads", "inspection:search", "inspection:user_activity", "intake:template",
    "intake_api:api-root", "intake_api:openapi-json", "intake_api:status", "intake_api:submit", "intake_api:unknown",
    "legal:accessibility", "legal:cookies", "legal:notice", "legal:personal_data", "legal:sitemap", "logout",
    "meetings:minutes", "meetings:pdf", "mobile_team:all", "mobile_team:dashboard", "mobile_team:message_attachment",
    "mobile_team:mine", "mobile_team:queue", "mobile_team:request", "national:export", "national:view",
    "password_reset_complete", "reports:dashboard", "reports:export", "reports:list", "retention:export",
    "retention:persons", "workflows:cellule", "workflows:done", "workflows:inbox", "workflows:queue", "workflows:task",
    "funding:list", "funding:export", "funding:national", "funding:national_export",  # FIPD: lists, downloads
    "search",  # its box is a GET form, like the lists' filters
    "cases:duplicates",  # the coordinators' list of duplicate records: its forms post to cases:undo_merge
    "institution_proposals",  # its forms post to decide_proposal
    "account_list",  # its search is a GET; the accounts' forms post to account_create, _detail, _edit
    "notifications:list", "notifications:open",  # their form posts to notifications:read_all
    "session_extend",  # posted by the warning before the idle timeout (ui/static/ui/session.js)
    "charter:acceptances",  # a list, read only
    "vigilance:list",  # its floor's form posts to vigilance:floor
}
