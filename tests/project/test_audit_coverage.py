"""Every page that shows personal data records its read; every entry point records its change.

Both tables below are walked against the code: a URL pattern or an entry point missing from them
fails the test, so a new page or action cannot forget the trail.
"""

import datetime
import inspect
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases import actions
from cases.actions import plan
from cases.models import Person
from cases.rules import CaseRight
from cellule import actions as cellule
from charter import actions as charter
from funding import actions as funding
from inspection import actions as inspection
from intake.actions import accounts as intake_accounts
from intake.actions import imports as intake_imports
from intake.actions import submissions as intake_submissions
from intake.demo import signalement as api_signalement
from intake.schemas import SignalementIn
from mobile_team import actions as mobile
from organisation import accounts, sessions
from organisation import actions as organisation
from organisation.models import Departement, Institution, InstitutionProposal, Mandate, Membership
from organisation.policy import SYSTEM
from outbox.queue import run_due
from reporting import actions as reports
from reporting.figures import Month
from retention import actions as retention
from tests.cases.factories import CaseFactory, bilan, person_data, progress
from tests.cellule.factories import decision, everyone
from tests.conftest import build_personas, built_once, forget_cached_rights
from tests.mobile_team.factories import mobile_request
from tests.organisation.factories import InstitutionFactory, MembershipFactory, UserFactory
from tests.urls import walk
from vigilance import actions as vigilance
from vigilance.detector import Finding
from workflows import escalation, notices, saved_views, tasks
from workflows.models import CaseTask, Notification

# URL name: (who opens it, its arguments, the read it records — None where no personal data of a
# case, a family or a young person is shown). The admin shows accounts and reference data only.
PAGES = {
    "home": ("coord_a", lambda c: [], "cell.view"),  # the composition card names the cellule's people
    "login": (None, lambda c: [], None),
    "cell_detail": ("coord_a", lambda c: ["93"], "cell.view"),
    # The institutions proposed: their proposers' names (staff); a local prevention body's page and exchanges.
    "institution_propose": ("coord_a", lambda c: ["93"], "institution.proposal_list"),
    "institution_proposals": ("admin", lambda c: [], "institution.proposal_list"),
    "prevention:body": ("coord_a", lambda c: [c.clspd.pk], None),
    "charter:page": ("member_a", lambda c: [], None),  # the charter's text, the person's own acceptance
    "charter:acceptances": ("coord_a", lambda c: ["93"], "charter.acceptances_view"),  # the members' names
    "vigilance:list": ("coord_a", lambda c: [], "reading_alert.list"),  # the accounts alerted
    "vigilance:detail": ("coord_a", lambda c: [c.alert.pk], "reading_alert.view"),  # and what they read
    "composition_export": ("coord_a", lambda c: ["93", "xlsx"], "export.composition_xlsx"),
    "password_reset_confirm": (None, lambda c: ["x", "y"], None),  # an invitation's link
    "password_reset_complete": (None, lambda c: [], None),
    **{f"legal:{page}": (None, lambda c: [], None)
       for page in ("sitemap", "accessibility", "notice", "personal_data", "cookies")},  # the footer's pages
    "search": ("coord_a", lambda c: [], None),  # the box alone; a search is recorded (tests/project/test_search.py)
    "health": (None, lambda c: [], None),  # for the proxy and the monitoring: no personal data
    "cases:list": ("coord_a", lambda c: [], "case.list"),
    "cases:intake": ("coord_a", lambda c: [], None),
    "cases:detail": ("coord_a", lambda c: [c.case.pk], "case.view"),
    "cases:duplicates": ("coord_a", lambda c: [], "person.duplicates_view"),
    "cases:duplicate": ("coord_a", lambda c: list(c.pair), "person.duplicates_view"),
    "cases:person": ("member_a", lambda c: [c.case.person_id], "person.view"),
    "cases:family": ("member_a", lambda c: [c.case.person.family_id], "family.view"),
    "cases:motive": ("member_a", lambda c: [c.case.pk], None),  # the reference only
    "cases:action": ("coord_a", lambda c: [c.case.pk, "contact"], "case.view"),
    "cases:record_action": ("member_a", lambda c: [c.case.pk, "fin-mesure", c.measure.pk], "case.view"),
    "cases:attachment": ("member_a", lambda c: [c.case.pk, c.attachment.pk], "case.attachment_read"),
    "cases:export": ("coord_a", lambda c: [c.case.pk], "case.view"),  # the parts to tick; the file: case.export_pdf
    "mobile_team:message_attachment": ("coord_a", lambda c: [c.request.pk, c.message_file.pk],
                                       "mobile_request.attachment_read"),
    "cases:transfer": ("coord_b", lambda c: [c.transfer.pk], "case.transfer_view"),
    "retention:persons": ("coord_a", lambda c: [c.case.pk], "retention.person_view"),
    "retention:export": ("coord_a", lambda c: [c.case.pk, "jeune", c.case.person.pk], "retention.export"),
    "retention:rectify": ("coord_a", lambda c: [c.case.pk, "jeune", c.case.person.pk], "retention.person_view"),
    "workflows:inbox": ("member_a", lambda c: [], "task.list"),
    "workflows:queue": ("coord_a", lambda c: [], "task.list"),
    "workflows:done": ("member_a", lambda c: [], "task.list"),
    "workflows:cellule": ("coord_a", lambda c: [], "task.list"),
    "workflows:task": ("member_a", lambda c: [c.review.pk], None),  # redirects to the action page
    # One's own notifications: titles of events and references, no personal data; opening one leads to its page.
    "notifications:list": ("member_a", lambda c: [], None),
    "notifications:open": ("member_a", lambda c: [Notification.objects.filter(recipient__username="member_a")
                                                  .latest("pk").pk], None),
    "notifications:preferences": ("member_a", lambda c: [], None),
    "inspection:search": ("inspector", lambda c: [], "audit.search"),
    "inspection:export_csv": ("inspector", lambda c: [], "export.audit_csv"),
    "inspection:export_bundle": ("inspector", lambda c: [], "export.audit_bundle"),
    "inspection:verifier": ("inspector", lambda c: [], None),  # the verifier's code: no personal data
    "inspection:case_timeline": ("inspector", lambda c: [c.case.reference], "audit.case_timeline"),
    "inspection:user_activity": ("inspector", lambda c: ["coord_a"], "audit.user_activity"),
    "inspection:integrity": ("inspector", lambda c: [], "audit.integrity"),
    "inspection:inspection_reads": ("coord_a", lambda c: [], "audit.inspection_reads"),  # the inspectors named
    "mobile_team:queue": ("mobile", lambda c: [], "mobile_request.list"),
    "mobile_team:mine": ("mobile", lambda c: [], "mobile_request.list"),
    "mobile_team:all": ("mobile", lambda c: [], "mobile_request.list"),
    "mobile_team:request": ("mobile", lambda c: [c.request.pk], "mobile_request.view"),
    "mobile_team:action": ("mobile", lambda c: [c.request.pk, "accepter"], "mobile_request.view"),
    "mobile_team:dashboard": ("mobile", lambda c: [], "mobile_team.dashboard"),  # counts; recorded all the same
    # The monthly reports hold aggregates only; their exports are recorded all the same.
    "reports:list": ("coord_a", lambda c: [], None),
    "reports:dashboard": ("coord_a", lambda c: [], "dashboard.view"),  # agents' names and their caseloads
    "reports:detail": ("coord_a", lambda c: [MONTH], None),
    "reports:export": ("coord_a", lambda c: [MONTH, "csv"], "export.report_csv"),
    "meetings:list": ("coord_a", lambda c: [], "case.list"),  # the agenda's choices: the open cases
    "support_groups:list": ("coord_a", lambda c: [], None),  # the groups, who runs them; no family
    "support_groups:detail": ("coord_a", lambda c: [c.group.pk], "support_group.view"),
    "meetings:detail": ("coord_a", lambda c: [c.meeting.pk], "meeting.view"),
    "meetings:minutes": ("coord_a", lambda c: [], "meeting.view"),
    "meetings:pdf": ("coord_a", lambda c: [c.meeting.pk, "compte-rendu"], "meeting.export"),
    "meetings:decision": ("member_a", lambda c: [c.decision.pk], "case.meeting_decision_view"),
    "national:view": ("national", lambda c: [], "national.view"),
    # The FIPD's actions name no one (an operator, counts); their exports are recorded all the same.
    "funding:list": ("coord_a", lambda c: [], None),
    "funding:create": ("coord_a", lambda c: [], None),
    "funding:edit": ("coord_a", lambda c: [c.funded_action.pk], None),
    "funding:export": ("coord_a", lambda c: ["csv"], "export.funding_csv"),
    "funding:national": ("national", lambda c: [], "funding.national_view"),
    "funding:national_export": ("national", lambda c: [TODAY.year, "xlsx"], "export.funding_national_xlsx"),
    "second_factor_verify": ("coord_a", lambda c: [], None),  # redirects to the enrolment without a device
    "second_factor_enrol": ("coord_a", lambda c: [], None),
    "mandates": ("national", lambda c: [], "mandate.list"),  # staff names
    "national_roles": ("national", lambda c: [], "membership.national_list"),  # staff names
    "account_recoveries": ("admin", lambda c: [], "user.recovery_list"),  # staff names
    "account_list": ("admin", lambda c: [], "user.list"),  # staff names, their last login
    "account_create": ("admin", lambda c: [], None),  # the form only
    "account_detail": ("admin", lambda c: [c.case.referent_id], "user.view"),  # member_a's: of the 93
    "account_edit": ("admin", lambda c: [c.case.referent_id], "user.view"),
    "sessions": ("member_a", lambda c: [], None),  # one's own sessions
    "account_sessions": ("coord_a", lambda c: [c.case.referent_id], "user.sessions_view"),  # member_a's
    "mandate_approve": ("national", lambda c: [Mandate.objects.order_by("pk").first().pk], None),
    "national:export": ("national", lambda c: [str(MONTH_), "xlsx"], "export.national_xlsx"),  # an ended month
    "intake:import": ("coord_a", lambda c: [], None),  # the upload; its dry run records intake.import_preview
    "intake:template": ("coord_a", lambda c: ["xlsx"], None),
    "intake_accounts:list": ("admin", lambda c: [], None),  # the sources' accounts, no personal data
    # The intake API: a token, no session; each call is recorded as intake.api_call (tests/intake).
    "intake_api:api-root": (None, lambda c: [], None),
    "intake_api:openapi-json": (None, lambda c: [], None),
    "intake_api:submit": (None, lambda c: [], None),
    "intake_api:status": (None, lambda c: ["CNAPR-1"], None),
    "intake_api:unknown": (None, lambda c: [], None),
}
MONTH = timezone.localdate().strftime("%Y-%m")
# Reads of no département: the national level's and the mobile team's (their trail is the nation's).
NATIONAL_READS = {"national:view", "national:export", "mandates", "mobile_team:dashboard", "national_roles",
                  "account_recoveries", "account_list", "funding:national", "funding:national_export",
                  "institution_proposals"}
# Pages that only take a POST, checked with the entry points they call.
POST_ONLY = {"logout", "session_extend", "workflows:claim", "workflows:release", "workflows:bulk",
             "workflows:save_view", "workflows:delete_view", "notifications:read_all", "mobile_team:claim",
             "mobile_team:message",
             "cases:partner_note", "cases:partner_action", "intake:confirm", "intake_accounts:revoke",
             "decide_recovery", "decide_proposal",
             "cases:undo_merge", "vigilance:floor"}
NAMES = sorted({name for _, name in walk() if name})


def test_every_url_pattern_is_in_the_table():
    unlisted = [n for n in NAMES if n not in PAGES and n not in POST_ONLY and not n.startswith("admin:")]
    assert unlisted == []


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    """The personas and their cases, built once: every test here reads them or rolls back its change."""
    with built_once(django_db_blocker):
        personas = build_personas()
        yield personas, build_context(personas)


@pytest.fixture
def personas(shared, db):
    forget_cached_rights(shared[0])
    return shared[0]


@pytest.fixture
def context(shared, db):
    return shared[1]


def build_context(personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    waiting = CaseFactory(coordinator=personas.coord_a)  # a family contact waiting in the team's queue
    # Two records of Adam merged (the merge to undo); the case's and the waiting one's, of one name and
    # birth date, a pair proposed for a merge.
    adam = [CaseFactory(coordinator=personas.coord_a, person=person_data(last_name="Roux", first_name="Adam"))
            for _ in range(2)]
    merge = actions.merge_people(personas.coord_a, adam[0].person, adam[1].person)
    mobile_request(personas.coord_a, personas.mobile)  # a request waiting for the mobile team
    meeting = cellule.schedule_meeting(personas.coord_a, personas.cell_a, held_at=timezone.now(), cases=[case])
    cellule.record_meeting(personas.coord_a, meeting, minutes="", attendance=everyone(meeting), decisions={
        meeting.items.get(case=case).pk: decision("Poursuite.", "continue", personas.member_a, TODAY)})
    cellule.close_meeting(personas.coord_a, meeting, minutes="Situation revue.")
    note = actions.add_note(personas.coord_a, case, text="Bilan.", visibility="cellule", attachments=[
        SimpleUploadedFile("bilan.pdf", b"%PDF-1.4\n")])
    transfer = actions.transfer(personas.coord_a, CaseFactory(coordinator=personas.coord_a),
                                destination=personas.cell_b.departement, note="Déménagement.")
    request = mobile_request(personas.coord_a, personas.mobile, "claimed")
    message = mobile.send_message(personas.mobile, request, "Compte rendu joint.", [
        SimpleUploadedFile("compte-rendu.pdf", b"%PDF-1.4\n")])
    objective = plan.add_objective(personas.member_a, case, domain="schooling", text="Reprendre une scolarité.")
    plan_action = plan.add_plan_action(personas.member_a, case, objective=objective, what="Inscription au lycée.",
                                       measure=case.care_measures.get(), due_on=TODAY)
    funded_action = funding.create_funded_action(
        personas.coord_a, personas.cell_a, title="Groupe de parole des parents", institution=case.care_measures.get()
        .institution, year=TODAY.year, amount_requested=18_000, young_people=12, families=9)
    group = cellule.create_support_group(personas.coord_a, personas.cell_a, name="Groupe des parents",
                                         institution=case.care_measures.get().institution)
    return SimpleNamespace(case=case, attachment=note.attachments.get(), measure=case.care_measures.get(), group=group,
                           plan_action=plan_action, funded_action=funded_action,
                           review=case.tasks.open().get(flow_task_name="review"), request=request,
                           message_file=message.attachments.get(), meeting=meeting,
                           decision=meeting.items.get(case=case), transfer=transfer,
                           pair=(case.person_id, waiting.person_id), merge=merge,
                           clspd=InstitutionFactory(name="CLSPD de Bobigny", local_prevention=True),
                           alert=vigilance.raise_alert(SYSTEM, personas.cell_a, unusual_day(personas.member_a)))


def unusual_day(account: User, day: datetime.date | None = None) -> Finding:
    """An alert on unusual reading as the detector finds one (tests/vigilance generate the histories)."""
    return Finding(account.pk, "member", day or timezone.localdate(), 12, 1.0, 1.0, [])


@pytest.mark.parametrize("name", [n for n in PAGES if PAGES[n][2]])
def test_each_page_showing_personal_data_records_its_read(client, personas, context, name):
    user, args, event = PAGES[name]
    client.force_login(getattr(personas, user))
    before = Event.objects.filter(action=event).count()
    response = client.get(reverse(name, args=args(context)))
    assert response.status_code == 200, (name, response.status_code)
    read = Event.objects.filter(action=event).latest("id")
    assert Event.objects.filter(action=event).count() > before
    assert (read.actor, read.departement) == (getattr(personas, user), "" if name in NATIONAL_READS else "93")


@pytest.mark.parametrize("name", [n for n in PAGES if not PAGES[n][2] and PAGES[n][0]])
def test_pages_without_personal_data_answer(client, personas, context, name):
    user, args, _ = PAGES[name]
    client.force_login(getattr(personas, user))
    if name == "cases:motive":
        actions.assign(personas.coord_a, CaseFactory(coordinator=personas.coord_a), referent=personas.coord_a,
                       no_contact_reason="unreachable")
    assert client.get(reverse(name, args=args(context))).status_code in (200, 302)


TODAY = timezone.localdate()
MONTH_ = Month(TODAY.replace(day=1)).previous(1)  # a month is reported once it has ended
# Entry point: (the call, the event it records)
def requested_mandate(p) -> Mandate:
    return organisation.request_mandate(p.national, Mandate(
        reference="IGA-2026-07", inspector=p.inspector, starts_on=TODAY, ends_on=TODAY, reviews_from=TODAY,
        reviews_until=TODAY), Departement.objects.filter(code__in=["93", "69"]))


def proposal(p) -> InstitutionProposal:
    return organisation.propose_institution(p.coord_a, p.cell_a, InstitutionProposal(
        name="Parquet de Bobigny", category="justice"))


def service_account(p, name: str = "cnapr-93", departement: str = "93"):
    return intake_accounts.create_account(p.admin, name=name, source="cnapr",
                                          departement=Departement.objects.get(code=departement))[0]


IMPORTED_ROW = {"Origine": "CNAPR", "Reçu le": "02/03/2026", "Faits signalés": "Propos de rupture.", "Nom": "Durand",
                "Prénom": "Léa", "Date de naissance": "17/05/2011", "Sexe": "f", "Commune": "Bobigny"}


def delivered(p):
    """Last month's report sent, and its e-mail accepted by the mail server (the queue's worker)."""
    report = reports.send(p.coord_a, reports.validate(p.coord_a, reports.current(p.coord_a, p.cell_a, MONTH_)))
    run_due()
    report.refresh_from_db()
    return report


ENTRY_POINTS = {
    "create_account": (lambda p, c: service_account(p), "intake.account_create"),
    "revoke_account": (lambda p, c: intake_accounts.revoke_account(p.admin, service_account(p, "cnapr-69", "69")),
                       "intake.account_revoke"),
    "submit": (lambda p, c: intake_submissions.submit(service_account(p), SignalementIn(**api_signalement(
        TODAY)).model_dump(), absolute=str), "case.intake"),
    "import_rows": (lambda p, c: intake_imports.import_rows(p.coord_a, p.cell_a, [IMPORTED_ROW], dry_run=False),
                    "intake.import"),
    "intake": (lambda p, c: CaseFactory(coordinator=p.coord_a), "case.intake"),
    "add_signalement": (lambda p, c: actions.add_signalement(p.coord_a, c.case, source="ems", received_on=TODAY,
                                                             facts="Nouveaux propos."), "case.signalement_add"),
    "record_family_contact": (lambda p, c: actions.record_family_contact(
        p.coord_a, c.case, on=TODAY, channel="phone", outcome="unreachable"), "case.family_contact"),
    "assign": (lambda p, c: actions.assign(p.coord_a, CaseFactory(coordinator=p.coord_a, family_contacted=True),
                                           referent=p.member_a), "case.assign"),
    "start_care": (lambda p, c: CaseFactory(coordinator=p.coord_a, referent=p.member_a, in_care=True),
                   "case.start_care"),
    "change_referent": (lambda p, c: actions.change_referent(p.coord_a, CaseFactory(
        coordinator=p.coord_a, referent=p.member_a, assigned=True), referent=p.coord_a, reason="Congé"),
        "case.referent_change"),
    "request_mobile_team": (lambda p, c: mobile.request_mobile_team(
        p.coord_a, c.case, motive="Avis", expected="advice", urgency="normal", summary="Repli."),
        "case.request_mobile_team"),
    "accept": (lambda p, c: mobile.accept(p.mobile, mobile_request(p.coord_a, p.mobile, "claimed")),
               "mobile_request.accept"),
    "decline": (lambda p, c: mobile.decline(p.mobile, mobile_request(p.coord_a, p.mobile, "claimed"),
                                             reason="Pas de disponibilité."), "mobile_request.decline"),
    "schedule": (lambda p, c: mobile_request(p.coord_a, p.mobile, "scheduled"), "mobile_request.schedule"),
    "add_report": (lambda p, c: mobile_request(p.coord_a, p.mobile, "reported"), "mobile_request.report"),
    "complete": (lambda p, c: mobile_request(p.coord_a, p.mobile, "completed"), "mobile_request.complete"),
    "withdraw": (lambda p, c: mobile_request(p.coord_a, p.mobile, "withdrawn"), "mobile_request.withdraw"),
    "send_message": (lambda p, c: mobile.send_message(p.coord_a, c.request, "Pouvez-vous rappeler la cellule ?"),
                     "mobile_request.message"),
    "mark_read": (lambda p, c: (mobile.send_message(p.mobile, c.request, "Quel créneau ?"),
                                mobile.mark_read(p.coord_a, c.request)), "mobile_request.messages_read"),
    "acknowledge": (lambda p, c: mobile.acknowledge(p.coord_a, mobile_request(p.coord_a, p.mobile, "accepted")
                                                     .case), "case.team_answer_read"),
    "add_note": (lambda p, c: actions.add_note(p.member_a, c.case, text="RAS", visibility="referent"),
                 "case.note_add"),
    "complete_review": (lambda p, c: actions.complete_review(p.member_a, c.case, note="RAS", progress=progress(c.case)),
                        "case.review"),
    "decline_closure": (lambda p, c: (actions.complete_review(p.member_a, c.case, note="RAS", propose_closure=True,
                                                              progress=progress(c.case)),
                                      actions.decline_closure(p.coord_a, c.case, note="On continue.")),
                        "case.closure_declined"),
    "close": (lambda p, c: actions.close(p.coord_a, c.case, reason="left", note="Départ.",
                                         measures_outcome="interrupted", bilan=bilan(c.case)), "case.close"),
    "add_objective": (lambda p, c: plan.add_objective(p.member_a, c.case, domain="family", text="Renouer."),
                      "case.objective_add"),
    "edit_objective": (lambda p, c: plan.edit_objective(p.coord_a, plan.add_objective(
        p.member_a, c.case, domain="family", text="Renouer."), domain="family", text="Renouer le dialogue."),
        "case.objective_edit"),
    "add_plan_action": (lambda p, c: planned_action(p, c), "case.plan_action_add"),
    "edit_plan_action": (lambda p, c: plan.edit_plan_action(p.coord_a, planned_action(p, c), status="ongoing"),
                         "case.plan_action_edit"),
    "update_plan_action": (lambda p, c: plan.update_plan_action(MembershipFactory(
        cell=p.cell_a, institution=c.measure.institution).user, planned_action(p, c), status="done"),
        "case.plan_action_update"),
    "edit_care_measure": (lambda p, c: actions.edit_care_measure(p.member_a, c.measure, modality="health"),
                          "case.care_measure_edit"),
    "remove_care_measure": (lambda p, c: actions.remove_care_measure(p.coord_a, actions.add_care_measure(
        p.member_a, c.case, modality="health", beneficiary="family", institution=c.measure.institution,
        starts_on=TODAY, adhesion="family"), reason="Saisie en double."), "case.care_measure_remove"),
    "verify_now": (lambda p, c: inspection.verify_now(p.inspector), "audit.verify"),
    "escalate": (lambda p, c: escalate_only(c.review), "task.escalate"),
    "reopen": (lambda p, c: actions.reopen(p.coord_a, CaseFactory(coordinator=p.coord_a, closed=True),
                                           reason="Nouveaux faits."), "case.reopen"),
    "transfer": (lambda p, c: actions.transfer(p.coord_a, c.case, destination=Departement.objects.get(code="69"),
                                               note="Déménagement."), "case.transfer_request"),
    "accept_transfer": (lambda p, c: actions.accept_transfer(p.coord_b, c.transfer), "case.transfer"),
    "refuse_transfer": (lambda p, c: actions.refuse_transfer(p.coord_b, c.transfer, reason="Pas de place."),
                        "case.transfer_refuse"),
    "withdraw_transfer": (lambda p, c: actions.withdraw_transfer(p.coord_a, c.transfer.case), "case.transfer_withdraw"),
    "add_care_measure": (lambda p, c: actions.add_care_measure(
        p.member_a, c.case, modality="health", beneficiary="family", institution=c.measure.institution,
        starts_on=TODAY, adhesion="family"), "case.care_measure_add"),
    "end_care_measure": (lambda p, c: actions.end_care_measure(p.member_a, c.measure, ends_on=TODAY,
                                                               outcome="completed"), "case.care_measure_end"),
    "edit_person": (lambda p, c: actions.edit_person(p.member_a, c.case, commune="Pantin"), "case.person_edit"),
    "save_relative": (lambda p, c: actions.save_relative(
        p.member_a, c.case, relation="father", last_name="Durand", first_name="Paul"), "case.relative_add"),
    "merge_people": (lambda p, c: actions.merge_people(p.coord_a, *Person.objects.filter(pk__in=c.pair)),
                     "person.merge"),
    "undo_merge": (lambda p, c: actions.undo_merge(p.coord_a, c.merge), "person.merge_undo"),
    "dismiss_duplicate": (lambda p, c: actions.dismiss_duplicate(p.coord_a, *Person.objects.filter(pk__in=c.pair)),
                          "person.duplicate_dismiss"),
    "record_consent": (lambda p, c: actions.record_consent(p.member_a, c.case, party="young_person",
                                                           status="given", on=TODAY), "case.consent"),
    "rebase_measure": (lambda p, c: (actions.record_consent(p.member_a, c.case, party="young_person",
                                                            status="withdrawn", on=TODAY),
                                     actions.rebase_measure(p.member_a, c.measure, adhesion="not_needed",
                                                            adhesion_note="Mesure ordonnée par le juge.")),
                       "case.care_measure_rebase"),
    "save_membership": (lambda p, c: organisation.save_membership(p.coord_a, Membership(
        user=UserFactory(), cell=p.cell_a, institution=c.measure.institution, function="Éducateur",
        role="member", starts_on=TODAY)), "membership.create"),
    "end_membership": (lambda p, c: organisation.end_membership(
        p.coord_a, p.member_a.memberships.get(), TODAY, successor=p.coord_a), "membership.update"),
    "invite_member": (lambda p, c: organisation.invite_member(
        p.coord_a, p.cell_a, username="nouvelle", first_name="Inès", last_name="Roy", email="ines@example.invalid",
        institution=c.measure.institution, function="Éducatrice", role="member", starts_on=TODAY), "user.invite"),
    "save_reference": (lambda p, c: organisation.save_reference(
        p.admin, Institution(name="Mission locale", category="association")), "institution.create"),
    "request_mandate": (lambda p, c: requested_mandate(p), "mandate.request"),
    "propose_institution": (lambda p, c: proposal(p), "institution.propose"),
    "validate_proposal": (lambda p, c: organisation.validate_proposal(p.admin, proposal(p)),
                          "institution.proposal_validate"),
    "refuse_proposal": (lambda p, c: organisation.refuse_proposal(p.admin, proposal(p), reason="Elle existe déjà."),
                        "institution.proposal_refuse"),
    "record_exchange": (lambda p, c: cellule.record_exchange(p.coord_a, p.cell_a, c.clspd, on=TODAY,
                                                             subject="Réunion du CLSPD", summary="Présentation."),
                        "exchange.create"),
    "create_user_account": (lambda p, c: accounts.create_user_account(p.admin, User(
        username="nouveau", first_name="Inès", last_name="Roy", email="ines.roy@example.invalid")), "user.create"),
    "invite_account": (lambda p, c: organisation.invite_account(p.admin, User(
        username="nouvelle", first_name="Anne", last_name="Roy", email="anne.roy@example.invalid")), "user.create"),
    "set_active": (lambda p, c: accounts.set_active(p.admin, User.objects.get(pk=p.member_a.pk), False),
                   "user.update"),  # a copy: the personas are shared by the module
    "save_account": (lambda p, c: accounts.save_account(p.admin, p.member_a, {"email": "avant@example.invalid"}),
                     "user.update"),
    "request_recovery": (lambda p, c: accounts.request_recovery(p.admin, p.member_a, kind="password",
                                                                reason="Oubli."), "user.recovery_request"),
    "decide_recovery": (lambda p, c: accounts.decide_recovery(p.coord_a, accounts.request_recovery(
        p.admin, p.member_a, kind="second_factor", reason="Téléphone perdu."), approve=True),
        "user.recovery_approve"),
    "end_sessions": (lambda p, c: (Client().force_login(p.member_a), sessions.end_sessions(p.coord_a, p.member_a)),
                     "user.sessions_end"),
    "approve_mandate": (lambda p, c: organisation.approve_mandate(
        MembershipFactory(national=True).user, requested_mandate(p)), "mandate.approve"),
    "raise_alert": (lambda p, c: vigilance.raise_alert(SYSTEM, p.cell_a, unusual_day(p.coord_a)),
                    "reading_alert.raise"),
    "examine_alert": (lambda p, c: vigilance.examine_alert(p.coord_a, c.alert, "Lectures justifiées."),
                      "reading_alert.examine"),
    "set_floor": (lambda p, c: vigilance.set_floor(p.coord_a, p.cell_a, 4), "reading_alert.floor"),
    "accept_charter": (lambda p, c: charter.accept_charter(MembershipFactory(
        cell=p.cell_a, charter_accepted=False).user, 1), "charter.accept"),
    "publish_version": (lambda p, c: charter.publish_version(p.admin, "Version revue de la charte."),
                        "charter.publish"),
    "schedule_meeting": (lambda p, c: cellule.schedule_meeting(p.coord_a, p.cell_a, held_at=timezone.now(),
                                                               cases=[c.case]), "meeting.schedule"),
    "record_meeting": (lambda p, c: cellule.record_meeting(p.coord_a, cellule.schedule_meeting(
        p.coord_a, p.cell_a, held_at=timezone.now()), minutes="M", decisions={}, attendance={}), "meeting.record"),
    "close_meeting": (lambda p, c: cellule.close_meeting(p.coord_a, attended(p), minutes="Trois situations revues."),
                      "meeting.close"),
    "update_meeting": (lambda p, c: cellule.update_meeting(p.coord_a, cellule.schedule_meeting(
        p.coord_a, p.cell_a, held_at=timezone.now()), held_at=timezone.now(), cases=[c.case]), "meeting.update"),
    "cancel_meeting": (lambda p, c: cellule.cancel_meeting(p.coord_a, cellule.schedule_meeting(
        p.coord_a, p.cell_a, held_at=timezone.now())), "meeting.cancel"),
    "complete_decision": (lambda p, c: cellule.complete_decision(p.member_a, c.decision, note="Fait."),
                          "case.meeting_decision_done"),
    "inform_prosecutor": (lambda p, c: actions.inform_prosecutor(p.coord_a, c.case, on=TODAY, means="phone",
                                                                 shared="Situation suivie."), "case.prosecutor_inform"),
    "record_interview_request": (lambda p, c: cellule.record_interview_request(
        p.coord_a, c.case, with_whom="referent", requested_by="Père", channel="phone", requested_on=TODAY),
        "interview_request.create"),
    "record_support_session": (lambda p, c: cellule.record_support_session(
        p.coord_a, c.group, on=TODAY, families=[c.case], other_parents=3), "support_session.create"),
    "create_support_group": (lambda p, c: cellule.create_support_group(
        p.coord_a, p.cell_a, name="Groupe des parents", institution=c.measure.institution), "support_group.create"),
    "update_interview_request": (lambda p, c: cellule.update_interview_request(
        p.coord_a, c.case, cellule.record_interview_request(p.coord_a, c.case, with_whom="prefet", requested_by="Mère",
                                                            channel="letter", requested_on=TODAY),
        status="held", held_on=TODAY), "interview_request.update"),
    "create_funded_action": (lambda p, c: funding.create_funded_action(
        p.coord_a, p.cell_a, title="Formation des professionnels", operator_name="Mairie de Bobigny",
        year=TODAY.year, amount_requested=4_000), "funded_action.create"),
    "update_funded_action": (lambda p, c: funding.update_funded_action(
        p.coord_a, c.funded_action, status="granted", amount_granted=15_000), "funded_action.update"),
    "edit": (lambda p, c: reports.edit(p.coord_a, reports.current(p.coord_a, p.cell_a, MONTH_),
                                       results="R", difficulties="D"), "report.edit"),
    "validate": (lambda p, c: reports.validate(p.coord_a, reports.current(p.coord_a, p.cell_a, MONTH_)),
                 "report.validate"),
    "send": (lambda p, c: reports.send(p.coord_a, reports.validate(p.coord_a, reports.current(
        p.coord_a, p.cell_a, MONTH_))), "report.send"),
    "correct": (lambda p, c: reports.correct(p.coord_a, delivered(p)), "report.correct"),
    # The queue's answer once the mail server accepted the report's e-mail, recorded as the system's.
    "delivered": (lambda p, c: delivered(p), "report.delivered"),
    "place_hold": (lambda p, c: retention.place_hold(p.coord_a, CaseFactory(coordinator=p.coord_a, closed=True),
                                                     reason="Réquisition."), "retention.hold_place"),
    "lift_hold": (lambda p, c: retention.lift_hold(p.coord_a, retention.place_hold(
        p.coord_a, CaseFactory(coordinator=p.coord_a, closed=True), reason="Réquisition.").case,
        reason="Classement."), "retention.hold_lift"),
    "erase": (lambda p, c: retention.erase(SYSTEM, CaseFactory(coordinator=p.coord_a, closed=True),
                                           TODAY.replace(year=TODAY.year + 6)), "retention.erase"),
    "export_person": (lambda p, c: retention.export_person(p.coord_a, c.case, c.case.person), "retention.export"),
    "rectify": (lambda p, c: (lambda case: retention.rectify(p.coord_a, case, case.person, commune="Pantin"))(
        CaseFactory(coordinator=p.coord_a, closed=True)), "retention.rectify"),
    "read_notifications": (lambda p, c: notices.read_notifications(p.member_a), "notification.read"),
    "choose_notification_email": (lambda p, c: notices.choose_notification_email(p.member_a, "digest"),
                                  "notification.preference"),
    "claim": (lambda p, c: tasks.claim(p.coord_a, CaseFactory(coordinator=p.coord_a).tasks.get(
        flow_task_name="contact_family")), "task.claim"),
    "release": (lambda p, c: tasks.release(p.coord_a, tasks.claim(p.coord_a, CaseFactory(
        coordinator=p.coord_a).tasks.get(flow_task_name="contact_family"))), "task.release"),
    "give": (lambda p, c: tasks.give(p.coord_a, CaseFactory(coordinator=p.coord_a).tasks.get(
        flow_task_name="contact_family"), p.coord_a), "task.give"),
    "bulk": (lambda p, c: tasks.bulk(p.coord_a, tasks.Bulk.CLAIM, [CaseFactory(coordinator=p.coord_a).tasks.get(
        flow_task_name="contact_family")]), "task.claim"),  # each task through its own entry point
    "save_view": (lambda p, c: saved_views.save_view(p.coord_a, "cases", "Reçus", "state=received"), "view.save"),
    "delete_view": (lambda p, c: saved_views.delete_view(p.coord_a, saved_views.save_view(
        p.coord_a, "cases", "Reçus", "")), "view.delete"),
}


def planned_action(p, c):
    """An action of the plan the case's measure carries."""
    objective = plan.add_objective(p.member_a, c.case, domain="schooling", text="Reprendre.")
    return plan.add_plan_action(p.member_a, c.case, objective=objective, what="Inscription.", measure=c.measure,
                                due_on=TODAY)


def escalate_only(task):
    """The daily escalation, the other open tasks taken as escalated already."""
    CaseTask.objects.exclude(pk=task.pk).update(escalated_on=TODAY)
    return escalation.escalate(SYSTEM, TODAY + datetime.timedelta(days=90))


def attended(p):
    """A meeting of now whose members' presence is recorded: it may close."""
    meeting = cellule.schedule_meeting(p.coord_a, p.cell_a, held_at=timezone.now())
    return cellule.record_meeting(p.coord_a, meeting, minutes="", decisions={}, attendance=everyone(meeting))


def public_functions(module) -> set[str]:
    return {name for name, value in vars(module).items()
            if inspect.isfunction(value) and value.__module__ == module.__name__ and not name.startswith("_")}


def test_every_entry_point_is_in_the_table():
    public = set(actions.__all__) | public_functions(organisation) | (set(cellule.__all__) - {"Decision"})
    public |= public_functions(mobile) - {"withdraw_on_closure", "target_date", "requests_of"}  # closure; date; read
    public |= public_functions(intake_accounts) | public_functions(intake_imports)
    public |= public_functions(intake_submissions) - {"status_of", "state_of"}  # they read
    public |= public_functions(reports) - {"current", "figures_of"}  # they read (current() may return an unsaved draft)
    public |= public_functions(inspection) | {"escalate"}  # workflows.escalation.due() only reads
    public |= public_functions(retention) - {"active_hold", "erasure"}  # they read
    # partner_actions reads; write_bilan and create_objective write within the closure's and the start of care's
    public |= public_functions(plan) - {"partner_actions", "write_bilan", "create_objective"}
    public |= public_functions(accounts) - {"password_link", "deciders", "address_changed_on"}  # these read
    public |= public_functions(sessions) - {"open_sessions", "open_counts", "still_open"}  # they read
    public |= public_functions(notices) | public_functions(charter)
    public |= public_functions(funding)
    public |= public_functions(vigilance) - {"detect"}  # it raises each alert it finds with raise_alert
    public |= public_functions(saved_views) - {"choose", "context", "clean_query", "searches_names", "cell_for_views"}
    assert public | {"claim", "release", "give", "bulk"} == set(ENTRY_POINTS)


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_each_entry_point_records_its_change(personas, context, name):
    call, event = ENTRY_POINTS[name]
    before = Event.objects.filter(action=event).count()
    call(personas, context)
    assert Event.objects.filter(action=event).count() == before + 1


def test_a_refused_access_is_recorded(client, personas, context):
    client.force_login(personas.coord_b)
    assert client.get(reverse("cases:detail", args=[context.case.pk])).status_code == 404
    denied = Event.objects.get(action="access.denied")
    assert (denied.actor, denied.object_id, denied.departement) == (personas.coord_b, str(context.case.pk), "93")
    assert denied.details["action"] == CaseRight.VIEW_CASE
