"""Consent that acts, through HTTP as the référent and the partner meet it: the young person withdraws
the adhesion an orientation rested on; in the same request the partner loses the case (their next page
is a 404, recorded), the measure is marked and the référent gets a task; the withdrawn consent is no
basis for a new orientation nor for passing the family's details to the mobile team; ending or
re-basing the measure, or the consent given again, ends the task."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases import actions
from cases.models import CareMeasure, Consent
from cases.task_kinds import REBASE_MEASURE
from mobile_team import actions as mobile
from project import consistency
from tests.cases.factories import CaseFactory
from tests.organisation.factories import MembershipFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

TODAY = timezone.localdate()


@pytest.fixture
def oriented(personas):
    """A case in care, oriented to an association on the young person's adhesion; the association's
    worker is a member of the cellule, its partner on the case."""
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    measure = case.care_measures.get()
    assert measure.adhesion == CareMeasure.Adhesion.YOUNG_PERSON
    partner = MembershipFactory(cell=personas.cell_a, institution=measure.institution).user
    return case, measure, partner


def withdraw(client, personas, case, party="young_person"):
    client.force_login(personas.member_a)
    response = client.post(reverse("cases:action", args=[case.pk, "adhesion"]),
                           {"party": party, "status": "withdrawn", "on": TODAY.isoformat()})
    assert response.status_code == 302
    return response


def rebase_tasks(case):
    return case.tasks.open().filter(flow_task_name=REBASE_MEASURE)


def broken(word: str) -> list[str]:
    """What the invariants of ``check_consistency`` whose label holds ``word`` find broken (the others, on
    the files of attachments, see those the other tests of the process left)."""
    checks = [check for label, check in consistency.CHECKS if word in label]
    assert checks
    return [found for check in checks for found in check()]


def test_a_withdrawal_ends_the_partners_access_at_once_and_gives_the_referent_a_task(client, personas, oriented):
    case, measure, partner = oriented
    partner_client = type(client)()
    partner_client.force_login(partner)
    assert partner_client.get(reverse("cases:detail", args=[case.pk])).status_code == 200

    withdraw(client, personas, case)

    measure.refresh_from_db()
    assert measure.consent_lost_on == TODAY and measure.ends_on is None
    assert partner_client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    denied = Event.objects.filter(action="access.denied", actor_id=partner.pk).get()
    assert denied.object_id == str(case.pk)
    event = Event.objects.filter(action="case.consent").last()
    assert event.details["mesures"] == [measure.pk] and event.details["adhésion"] == "withdrawn"
    task = rebase_tasks(case).get()
    assert task.owner == personas.member_a
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Adhésion retirée le" in page and "Jeune : retirée" in page
    assert reverse("cases:record_action", args=[case.pk, "refonder-mesure", measure.pk]) in page
    inbox = client.get(reverse("workflows:inbox")).content.decode()
    assert "Adhésion retirée : terminer ou refonder la prise en charge" in inbox


def test_the_withdrawn_consent_is_no_basis_for_a_new_orientation_nor_for_the_mobile_team(personas, oriented):
    case, measure, _ = oriented
    actions.record_consent(personas.member_a, case, party="family", status="withdrawn", on=TODAY)
    actions.record_consent(personas.member_a, case, party="young_person", status="withdrawn", on=TODAY)
    with pytest.raises(ValidationError, match="retirée"):
        actions.add_care_measure(personas.member_a, case, modality="health", beneficiary="young_person",
                                 institution=measure.institution, starts_on=TODAY, adhesion="young_person")
    with pytest.raises(ValidationError, match="ses coordonnées ne peuvent pas être transmises"):
        mobile.request_mobile_team(personas.coord_a, case, motive="Regard clinique", expected="individual_care",
                                   urgency="normal", summary="Isolement.", family_agrees=True,
                                   family_contact="06 12 34 56 78")
    assert case.care_measures.count() == 1 and not case.mobile_team_requests.exists()


def test_rebasing_the_measure_on_a_given_consent_opens_the_case_to_the_partner_again(client, personas, oriented):
    case, measure, partner = oriented
    withdraw(client, personas, case)
    url = reverse("cases:record_action", args=[case.pk, "refonder-mesure", measure.pk])
    refused = client.post(url, {"adhesion": "young_person"})  # the consent just withdrawn
    assert refused.status_code == 400 and "retirée" in refused.content.decode()
    assert client.post(url, {"adhesion": "not_needed", "adhesion_note": ""}).status_code == 400
    response = client.post(url, {"adhesion": "not_needed",
                                 "adhesion_note": "Mesure éducative ordonnée par le juge des enfants."})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.adhesion, measure.consent_lost_on) == ("not_needed", None)
    assert not rebase_tasks(case).exists()
    partner_client = type(client)()
    partner_client.force_login(partner)
    assert partner_client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert client.post(url, {"adhesion": "family"}).status_code == 400  # nothing left to re-base


def test_ending_the_measure_or_a_consent_given_again_ends_the_task(client, personas, oriented):
    case, measure, _ = oriented
    withdraw(client, personas, case)
    actions.record_consent(personas.member_a, case, party="young_person", status="given", on=TODAY)
    measure.refresh_from_db()
    assert measure.consent_lost_on is None and not rebase_tasks(case).exists()
    withdraw(client, personas, case)
    response = client.post(reverse("cases:record_action", args=[case.pk, "fin-mesure", measure.pk]),
                           {"ends_on": TODAY.isoformat(), "outcome": "refused"})
    assert response.status_code == 302 and not rebase_tasks(case).exists()


def test_a_consent_dated_before_the_current_one_changes_nothing(personas, oriented):
    case, measure, _ = oriented
    earlier = TODAY - timezone.timedelta(days=30)
    actions.record_consent(personas.member_a, case, party="young_person", status="refused", on=earlier)
    measure.refresh_from_db()
    assert measure.consent_lost_on is None  # the adhesion recorded with the orientation came after
    assert Consent.objects.filter(case=case, party="young_person").count() == 2


def test_check_consistency_names_a_measure_whose_consent_disagrees(personas, oriented):
    case, measure, _ = oriented
    actions.record_consent(personas.member_a, case, party="young_person", status="withdrawn", on=TODAY)
    CareMeasure.objects.filter(pk=measure.pk).update(consent_lost_on=None)  # around the entry point
    with pytest.raises(CommandError):
        call_command("check_consistency", stdout=(out := io.StringIO()))
    assert f"prise en charge {measure.pk}" in out.getvalue()


def test_a_consent_not_needed_is_shown_with_its_reason_and_cuts_no_access(client, personas, oriented):
    case, measure, partner = oriented
    client.force_login(personas.member_a)
    response = client.post(reverse("cases:action", args=[case.pk, "adhesion"]), {
        "party": "young_person", "status": "not_needed", "reason": "Mesure ordonnée par le juge des enfants.",
        "on": TODAY.isoformat()})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.consent_lost_on is None and not rebase_tasks(case).exists()
    partner_client = type(client)()
    partner_client.force_login(partner)
    assert partner_client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    for page in (reverse("cases:detail", args=[case.pk]), reverse("cases:person", args=[case.person.pk])):
        content = client.get(page).content.decode()
        assert "Jeune : non requise" in content and "Mesure ordonnée par le juge des enfants." in content
    event = Event.objects.filter(action="case.consent").last()
    assert event.details["adhésion"] == "not_needed" and "mesures" not in event.details
    timeline = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "motif : Mesure ordonnée par le juge des enfants." in timeline


@pytest.mark.parametrize(("status", "reason", "message"), [
    ("not_needed", "  ", "Indiquez pourquoi l&#x27;adhésion n&#x27;est pas requise"),
    ("given", "Ordonnée par le juge.", "Le motif ne s&#x27;indique que lorsque l&#x27;adhésion n&#x27;est pas requise"),
])
def test_the_reason_goes_with_a_consent_not_needed_only(client, personas, oriented, status, reason, message):
    case, _, _ = oriented
    before = Consent.objects.count()
    client.force_login(personas.member_a)
    response = client.post(reverse("cases:action", args=[case.pk, "adhesion"]), {
        "party": "family", "status": status, "reason": reason, "on": TODAY.isoformat()})
    assert response.status_code == 400 and message in response.content.decode()
    assert Consent.objects.count() == before and not Event.objects.filter(action="case.consent").exists()


def test_a_consent_not_needed_after_a_withdrawal_leaves_the_measure_to_be_rebased(client, personas, oriented):
    case, measure, _ = oriented
    withdraw(client, personas, case)
    actions.record_consent(personas.member_a, case, party="young_person", status="not_needed", on=TODAY,
                           reason="Placement ordonné par le juge.")
    measure.refresh_from_db()
    assert measure.consent_lost_on == TODAY and rebase_tasks(case).exists()
    url = reverse("cases:record_action", args=[case.pk, "refonder-mesure", measure.pk])
    refused = client.post(url, {"adhesion": "young_person"})  # no basis: the consent is not needed
    assert refused.status_code == 400 and "« non requise »" in refused.content.decode()
    assert client.post(url, {"adhesion": "not_needed", "adhesion_note": "Placement ordonné par le juge."}
                       ).status_code == 302
    measure.refresh_from_db()
    assert (measure.adhesion, measure.consent_lost_on) == ("not_needed", None) and not rebase_tasks(case).exists()
    assert broken("adhésion") == []


def test_a_consent_given_entered_late_before_a_not_needed_one_decides_on_the_measures(personas, oriented):
    case, measure, _ = oriented
    last_week, yesterday = TODAY - timezone.timedelta(days=7), TODAY - timezone.timedelta(days=1)
    actions.record_consent(personas.member_a, case, party="young_person", status="withdrawn", on=last_week)
    actions.record_consent(personas.member_a, case, party="young_person", status="not_needed", on=TODAY,
                           reason="Mesure ordonnée.")
    actions.record_consent(personas.member_a, case, party="young_person", status="given", on=yesterday)
    measure.refresh_from_db()
    assert measure.consent_lost_on is None
    assert broken("adhésion") == []
