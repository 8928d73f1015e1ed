"""The mobile intervention team: who may answer a request, bad input on its forms, what it sees of
the case (nothing but the request's own minimum), its service level, dashboard and e-mails.

Requests are walked through the entry points (``mobile_request``), as their users would. "Nothing
changed" means: the same request, report, task and case rows, and no audit event other than reads.
"""

import datetime
import html
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases.models import Case
from cases.views.case_page import ACTIONS as CASE_ACTIONS
from mobile_team import actions as mobile
from mobile_team.models import InterventionReport, MobileTeamRequest
from mobile_team.task_kinds import add_working_days
from mobile_team.views import BY_SLUG
from organisation.errors import ActionRefused
from organisation.policy import AccessDenied
from tests.cases.factories import CaseFactory, person_data
from tests.mobile_team.factories import mobile_request
from tests.urls import walk
from workflows import tasks
from workflows.models import CaseTask

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

PARIS = ZoneInfo("Europe/Paris")
DAY = datetime.timedelta(days=1)
READS = ["mobile_request.view", "mobile_request.list", "access.denied"]
REQUIRED = "Ce champ est obligatoire."


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=PARIS)


def snapshot() -> dict:
    return {
        "requests": list(MobileTeamRequest.objects.order_by("pk").values()),
        "reports": list(InterventionReport.objects.order_by("pk").values()),
        "tasks": list(CaseTask.objects.order_by("pk").values("pk", "flow_task_name", "status", "owner_id")),
        "cases": list(Case.objects.order_by("pk").values("pk", "state")),
        "audit events other than reads": Event.objects.exclude(action__in=READS).count(),
    }


def text(response) -> str:
    return html.unescape(response.content.decode())


# --- 1. Refusals ---------------------------------------------------------------------------------

# answer: (the request's state, the entry point)
ANSWERS = {
    "accept": ("claimed", lambda user, r: mobile.accept(user, r)),
    "decline": ("claimed", lambda user, r: mobile.decline(user, r, reason="Équipe complète.")),
    "schedule": ("accepted", lambda user, r: mobile.schedule(
        user, r, scheduled_at=timezone.now() + 2 * DAY, place="CMP de Bobigny", intervener="Dr Petit")),
    "report": ("scheduled", lambda user, r: after_intervention(r, lambda: mobile.add_report(
        user, r, on=timezone.localdate(), text="Entretien."))),
    "complete": ("reported", lambda user, r: after_intervention(r, lambda: mobile.complete(user, r))),
}


def after_intervention(request, call):
    """``call`` made once the request's planned intervention took place: an hour after it, if it is to come."""
    planned = MobileTeamRequest.objects.get(pk=request.pk).scheduled_at
    if planned is None or planned <= timezone.now():
        return call()
    with time_machine.travel(planned + datetime.timedelta(hours=1)):
        return call()


ATTEMPTS = {name: call for name, (_, call) in ANSWERS.items()} | {
    "withdraw": lambda user, r: mobile.withdraw(user, r.case, reason="Plus besoin."),
    "claim": lambda user, r: tasks.claim(user, r.case.tasks.get(flow_task_name="handle_request")),
}
NOT_TEAM = ["coord_a", "member_a", "inspector", "national"]
# (the request's state, who, what they try, the refusal, its French message). The policy is asked
# before the state: an agent who does not hold the request (not taken, or its task done) has no access.
REFUSALS = [
    *[(state, who, answer, AccessDenied, "") for answer, (state, _) in ANSWERS.items() for who in NOT_TEAM],
    *[(state, "mobile2", answer, AccessDenied, "") for answer, (state, _) in ANSWERS.items()],  # not theirs
    *[(state, "mobile", "withdraw", AccessDenied, "") for state in ("requested", "claimed", "accepted", "scheduled")],
    ("accepted", "coord_b", "withdraw", AccessDenied, ""),  # another département's coordinator
    ("claimed", "mobile2", "claim", ActionRefused, "Cette tâche a déjà été prise par"),
    ("requested", "mobile", "schedule", AccessDenied, ""),
    ("declined", "mobile", "accept", AccessDenied, ""),
    ("declined", "mobile", "schedule", ActionRefused, "Action impossible : la demande est à l'état « Déclinée »."),
    ("completed", "mobile", "schedule", ActionRefused, "Action impossible : la demande est à l'état « Terminée »."),
    ("accepted", "mobile", "report", ActionRefused, "Un compte rendu suit une intervention planifiée."),
    ("completed", "mobile", "report", ActionRefused, "Un compte rendu suit une intervention planifiée."),
    ("accepted", "mobile", "complete", ActionRefused, "Action impossible : la demande est à l'état « Acceptée »."),
    ("scheduled", "mobile", "complete", ActionRefused,
     "Joignez au moins un compte rendu d'intervention avant de clore la demande."),
    ("declined", "coord_a", "withdraw", ActionRefused, "est à l'état « Prise en charge »."),
]


@pytest.mark.parametrize("state,who,attempt,refusal,message", REFUSALS,
                         ids=[f"{row[2]}-{row[0]}-{row[1]}" for row in REFUSALS])
def test_each_refusal_changes_nothing(personas, mobile2, state, who, attempt, refusal, message):
    request = mobile_request(personas.coord_a, personas.mobile, state)
    before = snapshot()
    with pytest.raises(refusal) as raised:
        ATTEMPTS[attempt](getattr(personas, who, mobile2), request)
    assert message in getattr(raised.value, "message", "")
    assert snapshot() == before


@pytest.mark.parametrize("who", ["coord_a", "member_a", "inspector", "national", "admin", "outsider", "former"])
def test_the_team_portal_is_only_for_the_team(client, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get(reverse("mobile_team:queue")).status_code == 403


# --- 2. Bad input on the team's forms ------------------------------------------------------------

TODAY = timezone.localdate()
SOON = (timezone.localtime() + 2 * DAY).strftime("%Y-%m-%dT%H:%M")
# slug: (the request's state, a valid submission)
TEAM_FORMS = {
    "accepter": ("claimed", {}),
    "decliner": ("claimed", {"reason": "Équipe complète ce mois-ci."}),
    "planifier": ("accepted", {"scheduled_at": SOON, "place": "CMP de Bobigny", "intervener": "Dr Petit"}),
    "modifier-intervention": ("scheduled", {"scheduled_at": SOON, "place": "CMP de Bobigny", "intervener": "Dr Petit"}),
    "compte-rendu": ("scheduled", {"on": TODAY.isoformat(), "text": "Premier entretien."}),
    "terminer": ("reported", {}),
}


def too_long(field: str, limit: int) -> tuple[dict, str]:
    return {field: "x" * (limit + 1)}, f"comporte au plus {limit} caractères (actuellement {limit + 1})"


BAD = [
    ("decliner", {"reason": "   "}, REQUIRED),
    ("decliner", *too_long("reason", 500)),
    ("planifier", {"scheduled_at": "2026-02-30T10:00"}, "Saisissez une date et une heure valides."),
    ("planifier", {"scheduled_at": "demain matin"}, "Saisissez une date et une heure valides."),
    ("planifier", {"scheduled_at": (timezone.localtime() - 3 * DAY).strftime("%Y-%m-%dT%H:%M")},
     "La date d'intervention est passée"),
    ("planifier", {"place": "  "}, REQUIRED),
    ("planifier", *too_long("place", 200)),
    ("planifier", *too_long("intervener", 150)),
    ("compte-rendu", {"on": "2026-02-30"}, "Saisissez une date valide."),
    ("compte-rendu", {"on": (TODAY + DAY).isoformat()}, "La date de l'intervention ne peut pas être dans le futur."),
    ("compte-rendu", *too_long("text", 2000)),
    ("compte-rendu", {"on": "2020-01-01"}, "porte sur une date à partir de celle-ci"),  # before the intervention
    ("planifier", {"scheduled_at": (timezone.localtime() + 100 * DAY).strftime("%Y-%m-%dT%H:%M")},
     "Une intervention se planifie au plus trois mois à l'avance"),
    ("planifier", {"scheduled_at": (timezone.localtime() - DAY / 2).strftime("%Y-%m-%dT%H:%M")},
     "La date d'intervention est passée"),  # earlier today: no longer a day's slack
]
EMPTY = [(slug, dict.fromkeys(data, ""), REQUIRED) for slug, (_, data) in TEAM_FORMS.items() if data]


def test_the_table_covers_every_team_form():
    assert set(TEAM_FORMS) == set(BY_SLUG)


@pytest.mark.parametrize("slug", TEAM_FORMS)
def test_each_valid_submission_is_accepted(client, personas, slug):
    state, data = TEAM_FORMS[slug]
    request = mobile_request(personas.coord_a, personas.mobile, state)
    client.force_login(personas.mobile)
    response = client.post(reverse("mobile_team:action", args=[request.pk, slug]), data)
    assert response.status_code == 302, text(response)
    after = MobileTeamRequest.objects.get(pk=request.pk)
    assert (after.status, after.reports.count(), after.scheduled_place) != (
        request.status, 1 if state == "reported" else 0, request.scheduled_place)


@pytest.mark.parametrize("slug,wrong,message", [pytest.param(*row, id=f"{row[0]}-{'-'.join(row[1])}-{n}")
                                                for n, row in enumerate(EMPTY + BAD)])
def test_bad_input_shows_a_french_error_and_changes_nothing(client, personas, slug, wrong, message):
    state, data = TEAM_FORMS[slug]
    request = mobile_request(personas.coord_a, personas.mobile, state)
    client.force_login(personas.mobile)
    before = snapshot()
    response = client.post(reverse("mobile_team:action", args=[request.pk, slug]), {**data, **wrong})
    assert response.status_code == 400
    assert message in text(response)
    assert snapshot() == before


# --- 3 and 4. What the team sees of the case ------------------------------------------------------

RELATIVE = {"relation": "mother", "last_name": "Lemarchal", "first_name": "Ophélie", "phone": "06 98 76 54 32",
            "parental_authority": True}
FACTS = "Propos inquiétants rapportés par le collège Jean-Zay."


@pytest.fixture
def case(personas):
    """A case with a relative, facts, a referent and a care measure, whose request the team holds."""
    referent = personas.member_a
    referent.first_name, referent.last_name = "Gwendoline", "Arbogast"
    referent.save()
    case = CaseFactory(coordinator=personas.coord_a, referent=referent, mobile_team_requested=True, facts=FACTS,
                       person=person_data(last_name="Kerbrat-Vasseur", first_name="Yanis", commune="Montreuil"),
                       relatives=[RELATIVE])
    assert case.care_measures.get().institution.name == "Association Sauvegarde 93"
    return case


def secrets(case) -> dict:
    return {"last name": "Kerbrat-Vasseur", "relative's first name": "Ophélie", "relative's last name": "Lemarchal",
            "relative's phone": "06 98 76 54 32", "facts": FACTS, "referent": "Gwendoline", "referent's name":
            "Arbogast", "care measure's institution": "Association Sauvegarde", "case reference": case.reference}


def leaks(body: str, case) -> list[str]:
    """What of the case the page shows, whatever the case (names are shown as "Yanis KERBRAT-VASSEUR")."""
    return [what for what, value in secrets(case).items() if value.casefold() in body.casefold()]


def test_the_team_sees_only_the_requests_minimum_at_every_step(client, personas, case):
    request, agent = case.mobile_team_requests.get(), personas.mobile
    client.force_login(agent)
    steps = [lambda: None, lambda: tasks.claim(agent, case.tasks.get(flow_task_name="handle_request")),
             *[lambda answer=answer: ANSWERS[answer][1](agent, request)
               for answer in ("accept", "schedule", "report", "complete")]]
    urls = [reverse(f"mobile_team:{name}") for name in ("queue", "mine", "all", "dashboard")]
    urls += [reverse("mobile_team:request", args=[request.pk])]
    urls += [reverse("mobile_team:action", args=[request.pk, slug]) for slug in BY_SLUG]
    shown, pages = {}, set()
    for n, step in enumerate(steps):
        step()
        for url in urls:
            response = client.get(url)
            if response.status_code == 200:
                pages.add(url)
                if leaks(text(response), case):
                    shown[f"step {n}: {url}"] = leaks(text(response), case)
    assert pages == set(urls)  # each action form was shown at some step
    assert shown == {}
    page = text(client.get(reverse("mobile_team:request", args=[request.pk])))
    assert "Yanis" in page and f"{request.age} ans" in page and "Montreuil" in page
    client.force_login(personas.coord_a)  # the same strings are there for the case's coordinator
    case_page = text(client.get(reverse("cases:detail", args=[case.pk])))
    assert leaks(case_page, case) == list(secrets(case)), leaks(case_page, case)


def test_walking_every_url_the_team_reaches_no_case_page_and_no_name(client, personas, case):
    request = case.mobile_team_requests.get()
    task = tasks.claim(personas.mobile, case.tasks.get(flow_task_name="handle_request"))
    file = mobile.send_message(personas.coord_a, request, "Le courrier à la famille.", [
        SimpleUploadedFile("courrier.pdf", b"%PDF-1.4\n")]).attachments.get()
    ints = {"cases": [case.pk, case.relatives.get().pk], "mobile_team": [request.pk, file.pk],
            "workflows": [task.pk]}
    slugs = {"cases:action": [a.slug for a in CASE_ACTIONS if not a.target_model],
             "cases:record_action": ["modifier-proche"], "mobile_team:action": ["accepter", "decliner"]}
    client.force_login(personas.mobile)
    problems, team_pages = {}, 0
    for sample, name in walk():
        namespace = name.split(":")[0] if name and ":" in name else ""
        for slug in slugs.get(name, ["x"]):
            numbers = iter(ints.get(namespace, []))
            path = "/".join(str(next(numbers, 1)) if part == "1" else slug if part == "x" else part
                            for part in sample.split("/"))
            response = client.get(path)
            status, shown = response.status_code, leaks(text(response), case)
            team_pages += namespace == "mobile_team"
            case_post_only = name in ("cases:partner_note", "cases:partner_action", "cases:undo_merge")
            if namespace == "cases" and status not in (403, 404, *((405,) if case_post_only else ())):
                problems[path] = f"{name}: a case page answers {status}"
            post_only = name in ("mobile_team:claim", "mobile_team:message")
            if namespace == "mobile_team" and status != (405 if post_only else 200):
                problems[path] = f"{name}: a team page answers {status}"
            if shown:
                problems[path] = f"{name}: shows the case's {', '.join(shown)}"
    assert problems == {}
    assert team_pages == 10
    assert client.post(reverse("mobile_team:claim", args=[request.pk])).status_code == 302


# --- 5. Service level ----------------------------------------------------------------------------

# when the request is made (Paris time), when the team must have accepted or declined it
ACCEPTANCE = [
    (at(2026, 4, 2, 10), datetime.date(2026, 4, 7)),  # Thursday; Easter Monday 6 April skipped
    (at(2026, 4, 2, 23, 30), datetime.date(2026, 4, 7)),  # already the 2nd in Paris, still the 2nd in UTC
    (at(2026, 4, 3, 0, 30), datetime.date(2026, 4, 8)),  # the 3rd in Paris, still the 2nd in UTC
    (at(2026, 4, 30, 10), datetime.date(2026, 5, 5)),  # 1 May
    (at(2026, 7, 10, 10), datetime.date(2026, 7, 15)),  # Friday; 14 July
    (at(2026, 12, 31, 10), datetime.date(2027, 1, 5)),  # New Year's Day, across the year
]


@pytest.mark.parametrize("made,due", ACCEPTANCE, ids=[str(m) for m, _ in ACCEPTANCE])
def test_the_team_accepts_within_two_working_days_then_intervenes_within_fifteen_days(
        personas, time_machine, made, due):
    assert add_working_days(made.date(), 2) == due
    time_machine.move_to(made, tick=False)
    request = mobile_request(personas.coord_a, personas.mobile, "requested")
    assert request.case.tasks.get(flow_task_name="handle_request").due_on == due
    time_machine.move_to(made + 3 * DAY, tick=False)
    tasks.claim(personas.mobile, request.case.tasks.get(flow_task_name="handle_request"))
    mobile.accept(personas.mobile, request)
    assert request.case.tasks.get(flow_task_name="schedule_intervention").due_on == made.date() + 15 * DAY
    time_machine.move_to(made + 5 * DAY, tick=False)
    ANSWERS["schedule"][1](personas.mobile, request)
    assert request.case.tasks.get(flow_task_name="report_intervention").due_on == made.date() + 15 * DAY


def test_an_overdue_request_shows_late_in_the_teams_list(client, personas, time_machine):
    time_machine.move_to(at(2026, 4, 2, 10), tick=False)
    request = mobile_request(personas.coord_a, personas.mobile, "requested")
    for day, late in [(at(2026, 4, 7, 18), False), (at(2026, 4, 8, 9), True)]:
        time_machine.move_to(day, tick=False)
        client.force_login(personas.mobile)  # sessions last 8 hours
        for url in [reverse("mobile_team:queue"), reverse("mobile_team:request", args=[request.pk])]:
            page = text(client.get(url))
            assert "07/04/2026" in page
            assert ("En retard" in page) is late, (day, url)


# --- 6. Dashboard ------------------------------------------------------------------------------

D0 = at(2026, 3, 2, 9)
# (coordinator, days after D0 the request is made, days to accept, days to the first report, then)
PLAN = [
    ("coord_a", -120, 40, 50, "complete"),  # made more than 90 days ago: in neither median
    ("coord_a", 0, 1, 4, "complete"),
    ("coord_a", 5, 2, 5, None),
    ("coord_b", 11, 6, 12, None),
    ("coord_b", 24, None, None, None),
    ("coord_a", 25, None, None, "decline"),
]


def test_dashboard_shows_median_delays_and_open_requests_by_departement(client, personas, time_machine):
    agent = personas.mobile
    for coordinator, start, accept, report, then in PLAN:
        start = D0 + start * DAY
        time_machine.move_to(start, tick=False)
        request = mobile_request(getattr(personas, coordinator), agent, "claimed")
        if then == "decline":
            time_machine.move_to(start + DAY, tick=False)
            mobile.decline(agent, request, reason="Équipe complète.")
        if accept:
            time_machine.move_to(start + accept * DAY, tick=False)
            mobile.accept(agent, request)
        if report:
            time_machine.move_to(start + report * DAY, tick=False)
            mobile.schedule(agent, request, scheduled_at=timezone.now(), place="CMP", intervener="Dr Petit")
            mobile.add_report(agent, request, on=timezone.localdate(), text="Entretien.")
        if then == "complete":
            mobile.complete(agent, request)
    time_machine.move_to(D0 + 30 * DAY, tick=False)
    client.force_login(agent)
    page = text(client.get(reverse("mobile_team:dashboard")))
    figure = lambda id_: re.search(rf'id="{id_}">([^<]*)<', page).group(1)  # noqa: E731
    assert figure("median-acceptance") == "2,0 j"  # 1, 2 and 6 days
    assert figure("median-first-intervention") == "5,0 j"  # 4, 5 and 12 days
    assert re.findall(r"<tr><td>(\d+)</td><td>(\d+)</td></tr>", page) == [("69", "2"), ("93", "1")]


# --- Dates that agree with the request, and the state said rather than a 403 (issue 28, points 2, 3, 7) ----------

def test_an_intervention_to_come_is_neither_reported_nor_finished(personas):
    request = mobile_request(personas.coord_a, personas.mobile, "accepted")
    planned = timezone.now() + 2 * DAY
    mobile.schedule(personas.mobile, request, scheduled_at=planned, place="CMP", intervener="Dr Petit")
    before = snapshot()
    with pytest.raises(ActionRefused, match="son compte rendu se rédige une fois qu'elle a eu lieu"):
        mobile.add_report(personas.mobile, request, on=timezone.localdate(), text="Entretien.")
    assert snapshot() == before
    with time_machine.travel(planned + DAY):
        with pytest.raises(ValidationError, match="porte sur une date à partir de celle-ci"):
            mobile.add_report(personas.mobile, request, on=timezone.localdate() - 2 * DAY, text="Entretien.")
        mobile.add_report(personas.mobile, request, on=timezone.localdate(), text="Entretien.")
    mobile.schedule(personas.mobile, request, scheduled_at=planned + 3 * DAY, place="CMP", intervener="Dr Petit")
    with pytest.raises(ActionRefused, match="la demande se termine une fois qu'elle a eu lieu"):
        mobile.complete(personas.mobile, request)  # a second intervention, still to come
    assert MobileTeamRequest.objects.get(pk=request.pk).status == "scheduled"


@pytest.mark.parametrize("state,slug", [("completed", "accepter"), ("claimed", "planifier"),
                                        ("declined", "terminer"), ("accepted", "compte-rendu")])
def test_an_action_the_requests_state_refuses_says_the_state(client, personas, state, slug):
    request = mobile_request(personas.coord_a, personas.mobile, state)
    client.force_login(personas.mobile)
    response = client.get(reverse("mobile_team:action", args=[request.pk, slug]), follow=True)
    assert response.redirect_chain == [(reverse("mobile_team:request", args=[request.pk]), 302)]
    assert f"n'est pas possible : la demande est « {request.get_status_display()} »" in text(response)


def test_changing_the_intervention_starts_from_what_is_planned_and_reports_keep_their_lines(client, personas):
    request = mobile_request(personas.coord_a, personas.mobile, "scheduled")
    client.force_login(personas.mobile)
    page = text(client.get(reverse("mobile_team:action", args=[request.pk, "modifier-intervention"])))
    assert f'value="{timezone.localtime(request.scheduled_at):%Y-%m-%dT%H:%M}"' in page
    assert 'value="Centre médico-psychologique de Bobigny"' in page and 'value="Dr Élodie Petit"' in page
    target = timezone.localdate(request.requested_at) + 15 * DAY
    assert f"objectif d'intervention\n    avant le {target:%d/%m/%Y}" in page
    mobile.add_report(personas.mobile, request, on=timezone.localdate(),
                      text="Premier entretien.\nAdhésion du jeune.")
    page = text(client.get(reverse("mobile_team:request", args=[request.pk])))
    assert "Premier entretien.<br>Adhésion du jeune." in page
    client.force_login(personas.coord_a)
    assert "Premier entretien.<br>Adhésion du jeune." in text(client.get(reverse("cases:detail",
                                                                                 args=[request.case_id])))
