"""A family across its children's cases, through HTTP as the cellule works: a younger brother signalé
after his elder joins the elder's family at intake, their mother typed again stays one record, each
case shows the other, the family page lists both, the month counts one family, the mother's export
covers both cases; a transfer carries the family; nobody outside the cases sees the family page."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases import actions
from cases.models import Case, Family, Person, Relative
from project import consistency
from reporting.figures import Month, compute
from tests.cases.factories import CaseFactory, person_data, transferred
from tests.cases.test_intake_duplicates import URL, checked
from tests.organisation.factories import InstitutionFactory, MembershipFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

MOTHER = {"relative1_relation": "mother", "relative1_last_name": "Benali", "relative1_first_name": "Nadia",
          "relative1_phone": "", "relative1_email": "nadia.benali@example.org", "relative1_address": "",
          "relative1_parental_authority": "on"}


def form(**overrides) -> dict:
    today = timezone.localdate()
    return {"source": "ems", "source_reference": "", "received_on": today.isoformat(),
            "facts": "Propos inquiétants relevés au collège.", "orientation_note": "",
            "person_last_name": "Benali", "person_first_name": "Yanis", "person_birth_date": "2012-05-09",
            "person_sex": "m", "person_commune": "Bobigny", "person_address": "", "person_situation": "school",
            **MOTHER, **overrides}


@pytest.fixture
def elder(personas):
    """Karim, in care with member_a; his mother Nadia on file with her phone only."""
    return CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True,
                       person=person_data(last_name="Benali", first_name="Karim", birth_date=datetime.date(2009, 1, 7)),
                       relatives=[{"relation": "mother", "last_name": "Benali", "first_name": "Nadia",
                                   "phone": "06 45 12 78 90", "parental_authority": True}])


def younger_brother(client, personas, elder) -> Case:
    """The coordinator types Yanis and his mother; she is recognised; Yanis joins Karim's family."""
    client.force_login(personas.coord_a)
    page = client.post(URL, form()).content.decode()
    assert "Un frère ou une sœur est peut-être suivi" in page and "Karim BENALI" in page
    assert "Même proche : Nadia BENALI (mère)" in page and Case.objects.count() == 1  # nothing saved yet
    family = elder.person.family_id
    response = client.post(URL, form(decision="new", family=str(family), checked=checked(page)))
    case = Case.objects.exclude(pk=elder.pk).get()
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.pk])
    return case


def test_two_brothers_share_one_family_and_one_mother(client, personas, elder):
    younger = younger_brother(client, personas, elder)
    assert younger.person.family_id == elder.person.family_id and Family.objects.count() == 1
    mother = Relative.objects.get()  # one record: her e-mail typed for Yanis completed it
    assert (mother.phone, mother.email) == ("06 45 12 78 90", "nadia.benali@example.org")
    intake = Event.objects.get(action="case.intake", object_id=str(younger.pk))
    assert intake.details["famille"] == elder.person.family_id and intake.details["proches_complétés"] == [mother.pk]

    for case in (elder, younger):
        page = " ".join(client.get(reverse("cases:detail", args=[case.pk])).content.decode().split())
        assert "Sa famille : 1 frère ou sœur également suivi" in page and page.count("Nadia BENALI") == 1

    # The mother's number corrected from Yanis's case is Karim's too.
    response = client.post(reverse("cases:record_action", args=[younger.pk, "modifier-proche", mother.pk]), {
        "relation": "mother", "last_name": "Benali", "first_name": "Nadia", "phone": "07 00 00 00 01",
        "email": mother.email, "address": "", "parental_authority": "on"})
    assert response.status_code == 302
    assert "07 00 00 00 01" in client.get(reverse("cases:detail", args=[elder.pk])).content.decode()

    page = client.get(reverse("cases:family", args=[elder.person.family_id])).content.decode()
    assert "Karim BENALI" in page and "Yanis BENALI" in page and elder.reference in page and younger.reference in page
    assert page.count("Nadia BENALI") == 1
    read = Event.objects.filter(action="family.view").get()
    assert sorted(read.details["signalements"]) == sorted([elder.reference, younger.reference])

    person_page = client.get(reverse("cases:person", args=[elder.person_id])).content.decode()
    assert "Frères et sœurs également suivis" in person_page and "Yanis BENALI" in person_page


def test_the_month_counts_one_family_for_two_brothers(client, personas, elder):
    younger = younger_brother(client, personas, elder)
    institution = InstitutionFactory(name="Maison des familles", category="association", partner=True)
    for case in (elder, younger):
        actions.add_care_measure(personas.coord_a, Case.objects.get(pk=case.pk), modality="family_support",
                                 beneficiary="family", starts_on=timezone.localdate(), institution=institution,
                                 adhesion="not_needed", adhesion_note="Mesure d'aide éducative ordonnée.")
    figures = compute(personas.cell_a, Month(timezone.localdate().replace(day=1)))
    assert figures["young_people_followed"] == 2 and figures["families_followed"] == 1


def test_the_mothers_export_covers_both_brothers_cases(client, personas, elder):
    younger = younger_brother(client, personas, elder)
    from tests.retention.test_people import opened, rows

    mother = Relative.objects.get()
    files = opened(client.get(reverse("retention:export", args=[younger.pk, "proche", mother.pk])))
    assert sorted(row[0] for row in rows(files["signalement.csv"])[2:]) == sorted([elder.reference, younger.reference])
    relatives = rows(files["proches.csv"])[2:]
    assert len(relatives) == 1 and relatives[0][2] == "Nadia"
    assert {row[1] for row in rows(files["jeune.csv"])[2:]} == {"Karim", "Yanis"}


def test_a_family_choice_is_asked_and_a_crafted_one_refused(client, personas, elder):
    other = CaseFactory(coordinator=personas.coord_b)
    client.force_login(personas.coord_a)
    page = client.post(URL, form()).content.decode()
    for choice in ("", str(other.person.family_id), "abc"):
        response = client.post(URL, form(decision="new", family=choice, checked=checked(page)))
        assert response.status_code == 400 and "Indiquez si ce jeune est de l&#x27;une des familles proposées" in \
            response.content.decode()
    assert Case.objects.filter(departement=personas.cell_a.departement).count() == 1
    response = client.post(URL, form(decision="new", family="none", checked=checked(page)))
    assert response.status_code == 302 and Family.objects.count() == 3  # his own: Nadia typed again, in it
    assert Relative.objects.filter(first_name="Nadia").count() == 2


def test_a_relative_already_in_the_family_is_not_added_twice(client, personas, elder):
    client.force_login(personas.coord_a)
    response = client.post(reverse("cases:action", args=[elder.pk, "proche"]), {
        "relation": "mother", "last_name": "BENALI", "first_name": "nadia", "phone": "", "email": "", "address": ""})
    assert response.status_code == 400 and "est déjà parmi les proches de cette famille" in response.content.decode()
    assert Relative.objects.count() == 1


def test_the_family_page_shows_each_reader_their_own_and_nobody_else_sees_it(client, personas, elder):
    younger = younger_brother(client, personas, elder)  # no référent yet: member_a does not follow Yanis
    member = Client()
    member.force_login(personas.member_a)
    page = member.get(reverse("cases:family", args=[elder.person.family_id])).content.decode()
    assert "Karim BENALI" in page and "Yanis" not in page and younger.reference not in page
    assert "1 autre jeune de cette famille, que vous ne suivez pas" in page
    for who in ("coord_b", "member_b", "mobile", "national", "admin", "outsider"):
        member.force_login(getattr(personas, who))
        assert member.get(reverse("cases:family", args=[elder.person.family_id])).status_code == 404, who
    partner = MembershipFactory(cell=personas.cell_a, institution=elder.care_measures.get().institution).user
    member.force_login(partner)
    assert member.get(reverse("cases:family", args=[elder.person.family_id])).status_code == 404
    assert Event.objects.filter(action="access.denied", actor=partner).exists()


def test_a_transfer_carries_the_family_once(client, personas, elder):
    younger = younger_brother(client, personas, elder)
    first = transferred(personas, Case.objects.get(pk=elder.pk))
    second = transferred(personas, Case.objects.get(pk=younger.pk))
    assert first.person.family_id == second.person.family_id != elder.person.family_id
    family = Family.objects.get(pk=first.person.family_id)
    assert family.departement == personas.cell_b.departement and family.copied_from_id == elder.person.family_id
    assert list(family.relatives.values_list("first_name", flat=True)) == ["Nadia"]  # one record there too
    assert Relative.objects.filter(family_id=elder.person.family_id).count() == 1  # the sender's stays


def test_check_consistency_names_a_relative_twice_in_a_family_and_a_family_elsewhere(personas, elder):
    assert all(count == 0 for label, count, _ in consistency.run() if "famille" in label)
    twice = Relative(family_id=elder.person.family_id, relation="mother", last_name="BENALI", first_name="Nadia")
    twice.save()  # past the entry points, which refuse it
    Family.objects.filter(pk=elder.person.family_id).update(departement=personas.cell_b.departement)
    found = {label: names for label, _, names in consistency.run() if "famille" in label}
    (names,) = found.values()
    assert f"jeune n° {elder.person_id}" in names and f"famille n° {elder.person.family_id} (proche n° {twice.pk})" \
        in names
    with pytest.raises(CommandError):
        call_command("check_consistency", stdout=io.StringIO())


def test_a_sibling_of_another_departement_cannot_be_joined(personas):
    other = CaseFactory(coordinator=personas.coord_b)
    with pytest.raises(ValidationError, match="Cette famille n'est pas suivie par votre cellule"):
        actions.intake(personas.coord_a, personas.cell_a, source="ems", received_on=timezone.localdate(),
                       facts="Faits.", person=person_data(first_name="Inès", sex="f"), family=other.person.family)
    assert Person.objects.count() == 1
