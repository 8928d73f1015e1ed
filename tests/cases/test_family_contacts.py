"""Family contacts at any open state: by the referent too, and the note's rule kept:
"no contact details" is refused when a relative with a phone or an e-mail is on file."""


import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases import actions
from cases.models import FamilyContact, NoContactReason, State
from organisation.policy import AccessDenied
from tests.cases.factories import CaseFactory

TODAY = timezone.localdate()


def test_the_referent_records_a_family_contact_once_care_has_started(client, personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    client.force_login(personas.member_a)
    response = client.post(reverse("cases:action", args=[case.pk, "contact"]),
                           {"on": TODAY.isoformat(), "channel": "visit", "outcome": "reached", "note": "Visite."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.IN_CARE  # the contact moves nothing once care has started
    contact = case.family_contacts.latest("pk")
    assert (contact.by, contact.channel, contact.note) == (personas.member_a, "visit", "Visite.")
    assert Event.objects.filter(action="case.family_contact", object_id=str(case.pk)).exists()


def test_a_member_who_is_not_the_referent_records_none(personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    other = CaseFactory(coordinator=personas.coord_a, referent=personas.coord_a, in_care=True)
    with pytest.raises(AccessDenied):
        actions.record_family_contact(personas.member_a, other, on=TODAY, channel="phone", outcome="reached")
    assert not other.family_contacts.filter(by=personas.member_a).exists()
    actions.record_family_contact(personas.member_a, case, on=TODAY, channel="phone", outcome="unreachable")


def test_no_contact_details_is_refused_when_a_relative_has_a_phone(personas):
    case = CaseFactory(coordinator=personas.coord_a)  # its mother has a phone number
    with pytest.raises(ValidationError, match="Un proche a un téléphone ou un courriel"):
        actions.assign(personas.coord_a, case, referent=personas.member_a, no_contact_reason=NoContactReason.NO_DETAILS)
    case.refresh_from_db()
    assert (case.state, case.referent) == (State.RECEIVED, None)
    actions.assign(personas.coord_a, case, referent=personas.member_a, no_contact_reason=NoContactReason.UNREACHABLE)


def test_no_contact_details_is_accepted_when_no_relative_has_any(personas):
    case = CaseFactory(coordinator=personas.coord_a, relatives=[{"relation": "father", "last_name": "Durand",
                                                                 "first_name": "Paul"}])
    actions.assign(personas.coord_a, case, referent=personas.member_a, no_contact_reason=NoContactReason.NO_DETAILS)
    case.refresh_from_db()
    assert case.state == State.ASSIGNED
    assert not FamilyContact.objects.filter(case=case).exists()
