"""The demo tells a believable story: a history spread over the last months,
tasks done on different days, last month's report sent with real figures, non-zero medians on the
mobile team's dashboard; each département's cases work with its own partners."""

import datetime
import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases import matching
from cases.models import Bilan, CareMeasure, Case, Family, Person, PersonMerge, PlanAction, Relative
from organisation import policy
from organisation.models import Departement
from outbox.queue import run_due
from reporting.models import MonthlyReport
from tests.conftest import built_once
from workflows.models import CaseTask


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker), override_settings(DEMO=True):
        call_command("seed_demo", stdout=StringIO())
        run_due()  # as the queue's worker: inside this module's transaction nothing sent at commit
        yield


def test_the_history_is_spread_over_the_last_months(demo, db):
    today = timezone.localdate()
    days = {timezone.localtime(t).date() for t in Event.objects.values_list("time", flat=True)}
    assert min(days) <= today - datetime.timedelta(days=150) and len(days) > 40
    done = {timezone.localtime(t).date() for t in CaseTask.objects.filter(status="DONE")
            .values_list("finished", flat=True)}
    assert len(done) > 20
    received = list(Case.objects.filter(departement__code="93").order_by("year", "number")
                    .values_list("received_on", flat=True))
    assert received == sorted(received)  # numbers follow the order the signalements came in
    closed = Case.objects.filter(state="closed")
    assert closed and all(case.closed_on < today for case in closed)


def test_last_months_report_was_sent_with_real_figures(demo, db):
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    report = MonthlyReport.objects.get(cell__departement__code="93", month=last_month, status="sent")
    assert report.figures["young_people_followed"] > 5
    assert sum(report.figures["measures_by_modality"].values()) > 0


def test_the_mobile_teams_dashboard_shows_non_zero_medians(demo, db, client):
    agent = User.objects.get(username="equipe_mobile")
    policy.forget(agent)
    client.force_login(agent)
    response = client.get(reverse("mobile_team:dashboard"))
    assert response.context["median_acceptance"] > 0.5
    assert response.context["median_first_intervention"] > 0


def test_each_departements_measures_are_run_by_its_partners_or_national_bodies(demo, db):
    measures = CareMeasure.objects.select_related("institution", "case")
    assert measures and all(m.institution.serves(m.case.departement_id) for m in measures)
    assert not CareMeasure.objects.filter(case__departement__code="93", institution__name="Parquet de Lyon").exists()


def test_no_closed_case_keeps_a_measure_open(demo, db):
    assert not CareMeasure.objects.filter(case__state="closed", ends_on__isnull=True).exists()


def test_seeding_again_changes_nothing_and_the_trail_verifies(demo, db):
    cases, events = Case.objects.count(), Event.objects.count()
    with override_settings(DEMO=True):
        call_command("seed_demo", stdout=StringIO())
    assert (Case.objects.count(), Event.objects.count()) == (cases, events)
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert out.getvalue().startswith("Journal d'audit intègre")  # a broken chain raises CommandError


def test_the_demo_shows_the_cellule_working_together(demo, db, client):
    """Working together: an orientation the partner works on, notes of each visibility with files, a member who
    left, transfers accepted, refused and waiting, a thread with the mobile team, an escalation."""
    from cases.models import CaseNote, CaseTransfer
    from mobile_team.models import MessageAttachment
    from organisation.models import Membership

    educator = User.objects.get(username="pjj93")
    oriented = CareMeasure.objects.get(adhesion="not_needed", institution__name__contains="PJJ").case
    policy.forget(educator)
    client.force_login(educator)
    page = client.get(reverse("cases:detail", args=[oriented.pk])).content.decode()
    assert "Votre prise en charge" in page and "synthese-pjj.pdf" in page and oriented.facts not in page
    assert {n.visibility for n in CaseNote.objects.filter(case=oriented)} == {"cellule", "referent", "named"}
    assert CaseNote.objects.filter(case=oriented, attachments__isnull=False).count() == 2
    left = Membership.objects.get(user__username="depart93")
    assert left.ends_on is not None
    change = Event.objects.filter(action="case.referent_change").latest("id")
    assert "Garnier" in change.details["référent"]["avant"] and "Leroy" in change.details["référent"]["après"]
    assert sorted(CaseTransfer.objects.values_list("status", flat=True)) == ["accepted", "pending", "refused"]
    assert MessageAttachment.objects.exists()
    coordinator = User.objects.get(username="coord93")
    policy.forget(coordinator)
    client.force_login(coordinator)
    escalated = client.get(reverse("workflows:cellule"), {"signalees": "1"}).content.decode()
    assert "Signalée le" in escalated


def test_a_young_person_is_signalled_again_after_their_case_closed(demo, db):
    """In each département, one young person has a closed case and a new one on the same record."""
    for code in ("93", "69"):
        twice = Case.objects.filter(departement__code=code).values("person").annotate(
            cases=Count("pk")).filter(cases=2)
        assert len(twice) == 1
        states = set(Case.objects.filter(person=twice[0]["person"]).values_list("state", flat=True))
        assert states == {"closed", "received"}


def test_a_young_person_withdrew_their_adhesion_and_the_referent_has_the_measure_to_decide(demo, db):
    measure = CareMeasure.objects.get(consent_lost_on__isnull=False)
    assert measure.case.departement.code == "93" and measure.ends_on is None
    task = measure.case.tasks.open().get(flow_task_name="rebase_measure")
    assert task.owner == measure.case.referent


def test_two_brothers_or_sisters_share_one_family_and_one_mother(demo, db):
    """In each département, a younger brother or sister joined an elder's family; their mother, typed
    again, is one record, completed with her e-mail."""
    for code in ("93", "69"):
        (family,) = Family.objects.filter(departement__code=code).annotate(young=Count("young_people")).filter(
            young=2)
        (mother,) = family.relatives.all()
        assert mother.relation == "mother" and mother.phone and mother.email
        assert Event.objects.filter(action="case.intake", details__famille=family.pk).count() == 1


def test_a_young_person_typed_twice_is_proposed_to_the_coordinators_for_a_merge(demo, db):
    (group,) = matching.certain_duplicates(Departement.objects.get(code="69"), most=50)
    assert len(group) == 2 and not PersonMerge.objects.exists()  # proposed, never merged by the demo
    assert matching.certain_duplicates(Departement.objects.get(code="93"), most=50) == []


def test_cases_in_care_have_a_plan_and_closed_ones_their_bilan(demo, db):
    """A plan with the actions of a member and of a partner; a case closed after its care, with its bilan."""
    in_care = Case.objects.filter(state="in_care", objectives__isnull=False).distinct()
    assert in_care.exists()
    actions = PlanAction.objects.filter(objective__case__in=in_care)
    assert actions.filter(owner__isnull=False).exists() and actions.filter(measure__isnull=False).exists()
    bilan = Bilan.objects.filter(case__state="closed").first()
    assert bilan is not None and bilan.results.filter(result="reached").exists()


def test_every_case_in_care_started_with_its_plan_and_the_dashboard_flags_a_stalled_one(demo, db, client):
    from cases.stagnation import stagnant

    assert not Case.objects.filter(state__in=["in_care", "mobile_team_requested"], objectives__isnull=True).exists()
    coordinator = User.objects.get(username="coord93")
    stalled = stagnant(coordinator.memberships.get().cell)
    assert stalled
    client.force_login(coordinator)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert stalled[0].reference in page.split('id="stalled-title"')[1]


def test_a_held_meeting_decided_and_its_decisions_became_tasks(demo, db, client):
    """The 93's held meeting: its decisions, each with an owner and a date, are their owners' open tasks and lines
    on their cases' timelines; its minutes export as a PDF."""
    from cellule.models import Meeting

    meeting = Meeting.objects.get(cell__departement__code="93", status=Meeting.Status.CLOSED)
    decided = list(meeting.items.exclude(outcome="").select_related("owner"))
    assert len(decided) >= 2 and len({item.outcome for item in decided}) >= 2
    for item in decided:
        assert Event.objects.filter(action="case.meeting_decision", object_id=str(item.case_id)).exists()
    # A decision on a case closed since would be nobody's task any more.
    still_open = [item for item in decided if item.case.is_open]
    assert len(still_open) >= 2
    for item in still_open:
        task = CaseTask.objects.open().get(case=item.case, flow_task_name="meeting_decision")
        assert (task.owner, task.due_on) == (item.owner, item.due_on)
    assert meeting.attendances.filter(presence="present").count() >= 2
    coordinator = User.objects.get(username="coord93")
    policy.forget(coordinator)
    client.force_login(coordinator)
    pdf = client.get(reverse("meetings:pdf", args=[meeting.pk, "compte-rendu"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_no_young_person_or_relative_shares_a_staff_surname(demo, db):
    """Issue 28, point 17: the demo's people and its staff have surnames apart, even by ear (Lefebvre, Lefèvre)."""
    from cases.names import phonetic

    staff = {phonetic(name) for name in User.objects.values_list("last_name", flat=True) if name}
    followed = {*Person.objects.values_list("last_name", flat=True),
                *Relative.objects.values_list("last_name", flat=True)}
    assert sorted(name for name in followed if phonetic(name) in staff) == []


def test_the_generated_names_of_staff_and_young_people_are_apart():
    """The national data set draws its cellules' staff and its young people from the same module."""
    from cases.names import phonetic
    from demo.names import LAST_NAMES, STAFF_LAST_NAMES

    assert {phonetic(name) for name in LAST_NAMES}.isdisjoint(phonetic(name) for name in STAFF_LAST_NAMES)


def test_texts_about_a_young_person_agree_with_their_sex(demo, db):
    """« le jeune s'est présenté » is about a boy; about Jade it is « la jeune s'est présentée »."""
    from cases.models import CaseNote, CaseTransfer, FollowUpNote
    from mobile_team.models import InterventionReport

    sources = [(CaseNote, "text", "case"), (FollowUpNote, "note", "case"), (PlanAction, "what", "objective__case"),
               (CaseTransfer, "note", "case"), (CaseTransfer, "refusal_reason", "case"), (Case, "facts", None),
               (InterventionReport, "text", "request__case")]
    told, wrong = set(), []
    for model, field, path in sources:
        sex = f"{path}__person__sex" if path else "person__sex"
        for text, person_sex in model.objects.values_list(field, sex):
            for article in re.findall(r"\b(le|du|un|la|une) jeune\b", text, re.IGNORECASE):
                said = "f" if article.lower() in ("la", "une") else "m"
                told.add(said)
                if said != person_sex:
                    wrong.append(text)
    assert wrong == [] and told == {"f", "m"}


def test_support_groups_gather_families_of_cases_in_care(demo, db):
    from cellule.models import SupportGroupSession

    sessions = SupportGroupSession.objects.prefetch_related("families")
    assert sessions
    for session in sessions:
        assert session.families.exists()
        assert {case.state for case in session.families.all()} <= {"assigned", "in_care", "mobile_team_requested"}


def test_a_group_the_prefecture_runs_counts_parents_without_a_case_and_the_association_has_its_facilitator(
        demo, db, client):
    """Issue 29, point 5: the 93's préfecture runs a group whose session counted parents the cellule does not
    follow; the association's group is the page of its facilitator, a member of the cellule. Seeding again
    adds nothing."""
    from cellule.models import SupportGroup, SupportGroupSession

    prefecture = SupportGroup.objects.get(cell__departement__code="93", run_by="prefecture")
    assert prefecture.institution is None and prefecture.sessions.get().other_parents > 0
    association = SupportGroup.objects.get(cell__departement__code="93", run_by="association")
    facilitator = association.facilitator
    assert (facilitator.institution, facilitator.role) == (association.institution, "member")
    client.force_login(facilitator.user)
    assert association.name in client.get(reverse("support_groups:list")).content.decode()
    sessions = SupportGroupSession.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert SupportGroupSession.objects.count() == sessions


def test_meetings_are_held_on_working_days_at_round_times(demo, db):
    from cellule.models import Meeting

    held = [timezone.localtime(at) for at in Meeting.objects.values_list("held_at", flat=True)]
    assert len(held) >= 3
    for at in held:
        assert at.weekday() < 5 and 8 <= at.hour < 19, at
        assert at.minute % 15 == 0 and (at.second, at.microsecond) == (0, 0), at


def test_the_sent_report_gives_the_figures_of_its_month(demo, db):
    """The report sent counts what the month holds, the transfer of the 23rd included: its figures are
    those the product computes from the finished data (its time of computation aside)."""
    from reporting.figures import Month, compute

    report = MonthlyReport.objects.get(cell__departement__code="93", status="sent")
    month = Month(report.month)
    transferred = Case.objects.filter(departement__code="93", closure_reason="transferred",
                                      closed_on__range=(month.first, month.last)).count()
    assert report.figures["closures_by_reason"]["Transféré à un autre département"] == transferred
    now = compute(report.cell, month)
    frozen = {**report.figures, "computed_at": None}
    assert frozen.pop("difficulty_categories") == ["Manque de partenaires ou de places de prise en charge"]
    assert frozen == {**now, "computed_at": None}  # and the categories the coordinator ticked, frozen with them


def test_the_mobile_team_is_asked_for_different_kinds_of_help(demo, db):
    from mobile_team.models import MobileTeamRequest

    assert len(set(MobileTeamRequest.objects.values_list("expected", flat=True))) >= 3


def test_a_family_said_unreachable_was_tried_before(demo, db):
    """« Famille injoignable après plusieurs tentatives »: the attempts are logged before the naming."""
    from cases.models import FamilyContact

    cases = Case.objects.filter(no_contact_reason="unreachable")
    assert cases
    for case in cases:
        named = timezone.localdate(Event.objects.filter(action="case.assign", object_type="cases.case",
                                                        object_id=str(case.pk)).earliest("time").time)
        tries = FamilyContact.objects.filter(case=case, outcome=FamilyContact.Outcome.UNREACHABLE, on__lte=named)
        assert tries.count() >= 2, case.reference


def test_ref93_is_a_plain_referent_and_is_listed_as_a_member(demo, db):
    from organisation.models import Membership, Role

    referent = User.objects.get(username="ref93")
    (membership,) = Membership.objects.active().filter(user=referent)
    assert membership.role == Role.MEMBER
    assert Case.objects.filter(referent=referent).exclude(state="closed").exists()
    out = StringIO()
    with override_settings(DEMO=True):
        call_command("seed_demo", stdout=out)
    (line,) = [line for line in out.getvalue().splitlines() if line.split()[:1] == ["ref93"]]
    assert "membre de la cellule" in line.lower() and "coordonn" not in line.lower()


def test_the_93_works_with_a_clspd_and_proposed_its_parquet(demo, db, client):
    from cellule.models import Exchange
    from organisation.models import Institution, InstitutionProposal
    from reporting.figures import Month, compute

    clspd = Institution.objects.get(name="CLSPD de Bobigny", departement__code="93", category="local_prevention")
    measure = CareMeasure.objects.get(institution=clspd)
    assert measure.adhesion == "family" and measure.case.departement.code == "93"
    assert Exchange.objects.get(institution=clspd).recorded_by.username == "coord93"
    proposal = InstitutionProposal.objects.get(name="Parquet de Bobigny")
    assert proposal.status == "pending" and not Institution.objects.filter(name="Parquet de Bobigny").exists()
    today = timezone.localdate()
    figures = compute(measure.case.departement.cell, Month.of(today))
    assert figures["local_prevention_orientations"]["active"] == 1
    client.force_login(User.objects.get(username="coord93"))
    assert "Séance plénière du CLSPD" in client.get(reverse("prevention:body", args=[clspd.pk])).content.decode()
    call_command("seed_demo", stdout=StringIO())  # seeded again: nothing twice
    assert (CareMeasure.objects.filter(institution=clspd).count(), Exchange.objects.count(),
            InstitutionProposal.objects.count()) == (1, 1, 1)


def test_every_demo_account_that_reads_names_accepted_the_charter(demo, db, client):
    """The confidentiality charter: accepted, through its entry point, by every account whose role reads names;
    asked of none of the others."""
    from charter.models import Acceptance, Version
    from charter.rules import must_accept

    current = Version.objects.current()
    accepted = set(Acceptance.objects.filter(version=current).values_list("user__username", flat=True))
    asked = {user.username for user in User.objects.all() if must_accept(user)}
    assert asked >= {"coord93", "ref93", "pjj93", "coord69", "asso69", "equipe_mobile", "inspecteur"}
    assert asked <= accepted and not accepted & {"national", "admin", "c.marchand"}
    assert Event.objects.filter(action="charter.accept").count() == len(accepted)
    for username in ("psy93", "equipe_mobile", "inspecteur"):  # their first page opens at once
        client.force_login(User.objects.get(username=username))
        assert client.get(reverse("home")).status_code == 200
    client.force_login(User.objects.get(username="coord93"))
    listed = client.get(reverse("charter:acceptances", args=["93"])).content.decode()
    assert "Pas encore acceptée" not in listed and "Acceptée" in listed


def test_the_93s_coordinator_has_a_reading_alert_to_examine(demo, db, client):
    """Yesterday the PJJ educator opened seven cases outside his work, each with a motive: the nightly
    detection raised one alert, with those reads behind it; seeding again raises none more."""
    from vigilance.models import ReadingAlert

    alert = ReadingAlert.objects.get()
    assert (alert.cell.departement.code, alert.account.username, alert.day) == (
        "93", "pjj93", timezone.localdate() - datetime.timedelta(days=1))
    behind = Event.objects.filter(pk__in=alert.event_ids)
    assert behind.count() == 7 and {event.action for event in behind} == {"case.view"}
    client.force_login(User.objects.get(username="coord93"))
    assert "Thomas Girard" in client.get(reverse("vigilance:list")).content.decode()
    call_command("seed_demo", stdout=StringIO())
    assert ReadingAlert.objects.count() == 1
