"""The orientation of a case to a partner: recorded with the adhesion it rests on,
it opens the partner's part of the case to their members of the cellule until the measure ends."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases import actions
from cases.models import CaseNote, Consent
from tests.cases.factories import CaseFactory
from tests.organisation.factories import InstitutionFactory, MembershipFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def referral(personas):
    """A case in care in the 93, oriented to the PJJ for an educational measure; the PJJ's educator
    is a member of the cellule; the association's worker (another partner) is too."""
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True,
                       facts="Propos de rupture rapportés par le collège.")
    pjj = InstitutionFactory(name="PJJ Seine-Saint-Denis", category="state", partner=True)
    educator = MembershipFactory(cell=personas.cell_a, institution=pjj, user__first_name="Éducatrice",
                                 user__last_name="Pjj").user
    association = case.care_measures.get().institution
    worker = MembershipFactory(cell=personas.cell_a, institution=association, user__first_name="Travailleur",
                               user__last_name="Association").user
    measure = actions.add_care_measure(personas.member_a, case, modality="educational", beneficiary="young_person",
                                       institution=pjj, starts_on=TODAY, adhesion="not_needed",
                                       adhesion_note="Mesure éducative ordonnée par le juge des enfants.")
    notes = {
        "cellule": actions.add_note(personas.coord_a, case, text="Note de la cellule", visibility="cellule"),
        "referent": actions.add_note(personas.coord_a, case, text="Note des coordonnateurs", visibility="referent"),
        "named": actions.add_note(personas.member_a, case, text="Note pour la PJJ", visibility="named",
                                  named=[educator], attachments=[SimpleUploadedFile("bilan.pdf", PDF)]),
    }
    return case, measure, educator, worker, notes


def page(client, user, case):
    client.force_login(user)
    return client.get(reverse("cases:detail", args=[case.pk]))


def test_the_partner_sees_their_part_and_nothing_more(client, personas, referral):
    case, measure, educator, worker, notes = referral
    response = page(client, educator, case)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Lucas DURAND" in text and "06 12 34 56 78" in text  # identity, relatives and their contact details
    assert "Scolaire ou éducatif" in text and "ordonnée par le juge" in text  # their measure
    assert "Note pour la PJJ" in text and "bilan.pdf" in text  # the note shared with them
    for hidden in ("Propos de rupture", "Note de la cellule", "Note des coordonnateurs", "Accompagnement social",
                   "Chronologie", "Contacts avec la famille"):
        assert hidden not in text, hidden
    read = Event.objects.filter(action="case.view").latest("id")
    assert read.details["accès"] == "partenaire" and read.actor_id == educator.pk
    file = notes["named"].attachments.get()
    assert client.get(reverse("cases:attachment", args=[case.pk, file.pk])).content == PDF


def test_another_partner_does_not_see_what_was_shared_with_the_first(client, personas, referral):
    case, measure, educator, worker, notes = referral
    text = page(client, worker, case).content.decode()
    assert "Accompagnement social" in text and "Scolaire ou éducatif" not in text
    assert "Note pour la PJJ" not in text and "bilan.pdf" not in text
    file = notes["named"].attachments.get()
    assert client.get(reverse("cases:attachment", args=[case.pk, file.pk])).status_code == 404


def test_the_partner_finds_the_case_in_their_list_named_without_a_motive(client, personas, referral):
    case, measure, educator, worker, notes = referral
    client.force_login(educator)
    text = client.get(reverse("cases:list"), {"q": "durand"}).content.decode()
    assert case.reference in text and "Lucas DURAND" in text


def test_access_ends_with_the_measure(client, personas, referral):
    case, measure, educator, worker, notes = referral
    actions.end_care_measure(personas.member_a, measure, ends_on=TODAY, outcome="completed")
    assert page(client, educator, case).status_code == 404
    assert Event.objects.filter(action="access.denied", actor=educator).exists()
    client.force_login(educator)
    assert case.reference not in client.get(reverse("cases:list")).content.decode()


@pytest.mark.parametrize("who", ["member_b", "coord_b", "mobile", "national", "outsider"])
def test_a_member_of_another_departement_or_role_from_the_same_institution_sees_nothing(client, personas,
                                                                                        referral, who):
    case, measure, *_ = referral
    user = getattr(personas, who)
    for membership in user.memberships.all():  # same institution as the partner, elsewhere or another role
        membership.institution = measure.institution
        membership.save()
    assert page(client, user, case).status_code == 404


def test_a_partner_writes_to_the_referent_never_to_the_whole_cellule(client, personas, referral):
    case, measure, educator, worker, notes = referral
    client.force_login(educator)
    url = reverse("cases:partner_note", args=[case.pk])
    refused = client.post(url, {"text": "À toute la cellule", "visibility": "cellule"})
    assert refused.status_code == 400 and not CaseNote.objects.filter(text="À toute la cellule").exists()
    assert client.post(url, {"text": "Premier rendez-vous honoré.", "visibility": "referent"}).status_code == 302
    note = CaseNote.objects.get(text="Premier rendez-vous honoré.")
    assert note.author == educator
    assert "Premier rendez-vous honoré." in page(client, personas.member_a, case).content.decode()
    with pytest.raises(ValidationError):
        actions.add_note(educator, case, text="Encore", visibility="cellule")
    client.force_login(worker)  # the other partner does not read it
    assert "Premier rendez-vous honoré." not in page(client, worker, case).content.decode()


def test_a_partner_cannot_act_on_the_case(client, personas, referral):
    case, measure, educator, *_ = referral
    client.force_login(educator)
    for slug in ("contact", "mesure", "note", "jeune", "revue", "cloturer"):
        response = client.post(reverse("cases:action", args=[case.pk, slug]), {"text": "x", "visibility": "referent"})
        assert response.status_code == 404, slug
    assert not CaseNote.objects.filter(text="x").exists()


def test_the_orientation_needs_what_it_rests_on(personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    fields = {"modality": "health", "beneficiary": "family", "starts_on": TODAY,
              "institution": case.care_measures.get().institution}
    with pytest.raises(ValidationError, match="adhésion"):
        actions.add_care_measure(personas.member_a, case, **fields)
    with pytest.raises(ValidationError, match="pourquoi"):
        actions.add_care_measure(personas.member_a, case, adhesion="not_needed", **fields)
    actions.record_consent(personas.member_a, case, party="family", status="refused", on=TODAY)
    with pytest.raises(ValidationError, match="refusée"):
        actions.add_care_measure(personas.member_a, case, adhesion="family", **fields)
    assert case.care_measures.count() == 1
    actions.record_consent(personas.member_a, case, party="family", status="given", on=TODAY)
    actions.add_care_measure(personas.member_a, case, adhesion="family", **fields)
    assert case.care_measures.count() == 2 and case.consents.filter(party="family").count() == 2


def test_an_adhesion_not_on_file_is_recorded_with_the_orientation(personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    consent = case.consents.get()  # the factory's start of care, on the young person's adhesion
    assert (consent.party, consent.status, consent.recorded_by) == (Consent.Party.YOUNG_PERSON,
                                                                   Consent.Status.GIVEN, personas.member_a)


def test_the_orientation_form_through_http(client, personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    client.force_login(personas.member_a)
    url = reverse("cases:action", args=[case.pk, "mesure"])
    form = client.get(url).content.decode()
    assert "adhésion" in form.lower() and "jamais les faits" in form
    data = {"modality": "health", "beneficiary": "family", "starts_on": TODAY.isoformat(),
            "institution": case.care_measures.get().institution_id}
    assert client.post(url, data).status_code == 400
    assert client.post(url, {**data, "adhesion": "family"}).status_code == 302
    assert case.care_measures.count() == 2
