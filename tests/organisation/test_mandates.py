"""Inspection mandates: requested by one national officer, approved by another, and reviewing the
period they name, for the trail as for the cases."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

import audit
from audit.models import Event
from cases.models import Case
from inspection.rules import events_visible_to
from organisation import actions as organisation
from organisation import policy
from organisation.models import Departement, Mandate
from organisation.policy import AccessDenied
from tests.cases.factories import CaseFactory
from tests.organisation.factories import MembershipFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

TODAY = timezone.localdate()
LAST_YEAR = TODAY - datetime.timedelta(days=365)


@pytest.fixture
def second_national(personas):
    return MembershipFactory(national=True, user__username="national2").user


def mandate(personas, **dates) -> Mandate:
    values = {"starts_on": TODAY - datetime.timedelta(days=1), "ends_on": TODAY + datetime.timedelta(days=30),
              "reviews_from": LAST_YEAR, "reviews_until": TODAY, **dates}
    return organisation.request_mandate(personas.national, Mandate(
        reference=f"IGA-{len(Mandate.objects.all())}", inspector=personas.inspector, **values),
        Departement.objects.filter(code="69"))


def test_a_requested_mandate_opens_nothing_until_a_second_officer_approves_it(personas, second_national):
    requested = mandate(personas)
    assert requested.requested_by == personas.national and requested.approved_at is None
    policy.forget(personas.inspector)
    assert Departement.objects.get(code="69").pk not in policy.scope(personas.inspector).mandate_departement_ids
    with pytest.raises(AccessDenied):
        organisation.approve_mandate(personas.national, requested)  # not the one who asked
    with pytest.raises(AccessDenied):
        organisation.approve_mandate(personas.inspector, requested)
    organisation.approve_mandate(second_national, requested)
    policy.forget(personas.inspector)  # the rights of this test's object of the user, computed before
    assert Departement.objects.get(code="69").pk in policy.scope(personas.inspector).mandate_departement_ids
    assert [e.action for e in Event.objects.filter(object_type="organisation.mandate").order_by("id")] == [
        "mandate.request", "mandate.approve"]


@pytest.mark.parametrize("name", ["admin", "coord_a", "inspector", "mobile"])
def test_only_the_national_level_requests_a_mandate(personas, name):
    with pytest.raises(AccessDenied):
        organisation.request_mandate(getattr(personas, name), Mandate(
            reference="IGA-X", inspector=personas.inspector, starts_on=TODAY, ends_on=TODAY, reviews_from=TODAY,
            reviews_until=TODAY), Departement.objects.filter(code="69"))
    assert not Mandate.objects.filter(reference="IGA-X").exists()


def test_an_inspector_cannot_request_their_own_mandate(personas):
    officer = MembershipFactory(national=True).user
    MembershipFactory(user=officer, inspector=True)
    with pytest.raises(AccessDenied):
        organisation.request_mandate(officer, Mandate(reference="IGA-SELF", inspector=officer, starts_on=TODAY,
                                                      ends_on=TODAY, reviews_from=TODAY, reviews_until=TODAY),
                                     Departement.objects.filter(code="69"))


def test_the_period_reviewed_bounds_the_trail_and_the_cases(personas, second_national):
    old = CaseFactory(coordinator=personas.coord_b, received_on=LAST_YEAR - datetime.timedelta(days=30))
    Case.objects.filter(pk=old.pk).update(closed_on=LAST_YEAR - datetime.timedelta(days=10), state="closed")
    recent = CaseFactory(coordinator=personas.coord_b)
    organisation.approve_mandate(second_national, mandate(personas, reviews_from=LAST_YEAR,
                                                          reviews_until=TODAY - datetime.timedelta(days=1)))
    visible = set(Case.objects.visible_to(personas.inspector).filter(departement__code="69"))
    assert recent in visible and old not in visible  # closed before the period reviewed began
    assert policy.can(personas.inspector, "view_case", recent)
    assert not policy.can(personas.inspector, "view_case", Case.objects.get(pk=old.pk))
    audit.record("case.view", departement="69")  # today: after the period reviewed
    assert not events_visible_to(personas.inspector).filter(departement="69", action="case.view").exists()


def test_the_national_page_requests_and_another_officer_approves(client, personas, second_national):
    client.force_login(personas.national)
    response = client.post(reverse("mandates"), {
        "reference": "IGA-2026-12", "inspector": personas.inspector.email, "departements": [
            Departement.objects.get(code="69").pk], "starts_on": TODAY.isoformat(), "ends_on": TODAY.isoformat(),
        "reviews_from": LAST_YEAR.isoformat(), "reviews_until": TODAY.isoformat()})
    assert response.status_code == 302
    requested = Mandate.objects.get(reference="IGA-2026-12")
    page = client.get(reverse("mandates")).content.decode()
    assert "En attente d'approbation" in page and reverse("mandate_approve", args=[requested.pk]) not in page
    assert client.post(reverse("mandate_approve", args=[requested.pk])).status_code == 403
    client.force_login(second_national)
    assert reverse("mandate_approve", args=[requested.pk]) in client.get(reverse("mandates")).content.decode()
    assert client.post(reverse("mandate_approve", args=[requested.pk])).status_code == 302
    requested.refresh_from_db()
    assert requested.approved_by == second_national


@pytest.mark.parametrize("changes,message", [
    ({"inspector": "personne@example.invalid"}, "Aucun compte actif de l&#x27;inspection"),
    ({"reviews_until": (TODAY + datetime.timedelta(days=400)).isoformat()}, "au-delà de la fin du mandat"),
    ({"ends_on": (TODAY - datetime.timedelta(days=1)).isoformat()}, "La fin ne peut précéder le début"),
    ({"departements": []}, "Ce champ est obligatoire"),
])
def test_a_wrong_request_is_refused_in_french_and_changes_nothing(client, personas, changes, message):
    client.force_login(personas.national)
    data = {"reference": "IGA-2026-13", "inspector": personas.inspector.email,
            "departements": [Departement.objects.get(code="69").pk], "starts_on": TODAY.isoformat(),
            "ends_on": TODAY.isoformat(), "reviews_from": LAST_YEAR.isoformat(), "reviews_until": TODAY.isoformat(),
            **changes}
    response = client.post(reverse("mandates"), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Mandate.objects.filter(reference="IGA-2026-13").exists()


@pytest.mark.parametrize("name", ["admin", "coord_a", "inspector"])
def test_the_mandates_page_is_the_national_levels(client, personas, name):
    client.force_login(getattr(personas, name))
    assert client.get(reverse("mandates")).status_code == 403


def test_approving_is_refused_before_anyone_but_the_national_level_learns_a_mandate_exists(client, personas):
    client.force_login(personas.coord_a)
    assert client.post(reverse("mandate_approve", args=[personas.mandate.pk])).status_code == 403
    assert client.post(reverse("mandate_approve", args=[999999])).status_code == 403
