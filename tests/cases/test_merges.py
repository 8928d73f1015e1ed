"""Duplicate records of one young person, as the coordinators of the cellule meet them through HTTP: the
pairs the detection finds certain are proposed (never merged by it), merged on a coordinator's choice
(recorded, the merged record kept and marked), undone while no new case rests on the merge, or kept
apart for good; the members and the other département's coordinators reach none of it."""

import datetime
import importlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases import actions, matching
from cases.models import Case, DistinctPeople, Person, PersonMerge
from organisation import policy
from organisation.errors import ActionRefused
from organisation.policy import AccessDenied
from project import consistency
from tests.cases.factories import CaseFactory, person_data
from tests.organisation.factories import MembershipFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

INES = person_data(last_name="Benali", first_name="Inès", sex="f", birth_date=datetime.date(2009, 6, 1))


@pytest.fixture
def twins(personas):
    """Two records of Inès in the 93, typed apart (accents, case, a hyphen): one closed, one open."""
    older = CaseFactory(coordinator=personas.coord_a, closed=True, person=INES)
    newer = CaseFactory(coordinator=personas.coord_a, person={**INES, "last_name": "BENALI", "first_name": "Ines",
                                                               "commune": "Pantin"})
    return older, newer


def page(client, user, url=None):
    client.force_login(user)
    return client.get(url or reverse("cases:duplicates"))


def pair_url(one, other):
    return reverse("cases:duplicate", args=[one.person_id, other.person_id])


def merge(client, personas, kept, merged):
    client.force_login(personas.coord_a)
    response = client.post(pair_url(kept, merged), {"keep": kept.person_id, "merge": ""})
    assert response.status_code == 302
    return PersonMerge.objects.get(merged_id=merged.person_id, undone_at__isnull=True)


def broken(word: str) -> list[str]:
    """What the invariants of ``check_consistency`` whose label holds ``word`` find broken (the others, on
    the files of attachments, see those the other tests of the process left)."""
    checks = [check for label, check in consistency.CHECKS if word in label]
    assert checks
    return [found for check in checks for found in check()]


def test_the_coordinators_see_the_certain_pairs_with_both_records_cases(client, personas, twins):
    older, newer = twins
    CaseFactory(coordinator=personas.coord_a, person={**INES, "first_name": "Inès-Marie"})  # not certain
    response = page(client, personas.coord_a)
    content = response.content.decode()
    assert response.status_code == 200
    assert older.reference in content and newer.reference in content and pair_url(older, newer) in content
    assert content.count("Examiner ces deux fiches") == 1
    read = Event.objects.filter(action="person.duplicates_view").latest("id")
    assert read.departement == "93" and read.details["fiches"] == sorted([older.person_id, newer.person_id])
    assert not PersonMerge.objects.exists()  # proposed, never merged by the detection


def test_a_merge_moves_the_cases_to_the_record_kept_and_keeps_the_other_marked(client, personas, twins):
    older, newer = twins
    detail = page(client, personas.coord_a, pair_url(older, newer)).content.decode()
    assert "Fiche à conserver" in detail and older.reference in detail and newer.reference in detail
    done = merge(client, personas, older, newer)

    assert list(Person.objects.get(pk=older.person_id).cases.order_by("pk")) == [older, newer]
    merged = Person.objects.get(pk=newer.person_id)
    assert merged.merged_into_id == older.person_id and not merged.cases.exists()
    assert (done.kept_id, done.cases, done.merged_by) == (older.person_id, [newer.pk], personas.coord_a)
    event = Event.objects.get(action="person.merge")
    assert event.details == {"fiche_conservée": older.person_id, "fiche_fusionnée": newer.person_id,
                             "signalements": [newer.reference]}
    person_page = page(client, personas.coord_a, reverse("cases:person", args=[older.person_id])).content.decode()
    assert older.reference in person_page and newer.reference in person_page
    assert page(client, personas.coord_a, reverse("cases:person", args=[newer.person_id])).status_code == 404
    listed = page(client, personas.coord_a).content.decode()
    assert "Examiner ces deux fiches" not in listed and "Annuler la fusion" in listed
    # The merged record is nobody's candidate any more, nor found by a search.
    found = matching.find_candidates(older.departement, last_name="Benali", first_name="Inès",
                                     birth_date=INES["birth_date"])
    assert [candidate.person.pk for candidate in found] == [older.person_id]
    assert [case.pk for case in Case.objects.search("pantin")] == []  # the merged record's commune
    assert broken("fusionné") == []


def test_a_merge_is_undone_while_no_new_case_rests_on_it(client, personas, twins):
    older, newer = twins
    done = merge(client, personas, older, newer)
    response = client.post(reverse("cases:undo_merge", args=[done.pk]))
    assert response.status_code == 302
    assert Case.objects.get(pk=newer.pk).person_id == newer.person_id
    assert Person.objects.get(pk=newer.person_id).merged_into_id is None
    done.refresh_from_db()
    assert done.undone_by == personas.coord_a and done.undone_at is not None
    assert Event.objects.get(action="person.merge_undo").details["signalements"] == [newer.reference]
    assert "Examiner ces deux fiches" in page(client, personas.coord_a).content.decode()  # proposed again
    again = client.post(reverse("cases:undo_merge", args=[done.pk]), follow=True)
    assert "Cette fusion a déjà été annulée" in again.content.decode()
    assert broken("fusionné") == []


def test_a_merge_a_new_case_rests_on_is_not_undone(client, personas, twins):
    older, newer = twins
    done = merge(client, personas, older, newer)
    kept = Person.objects.get(pk=older.person_id)
    latest = actions.intake(personas.coord_a, personas.cell_a, source="ems", received_on=timezone.localdate(),
                            facts="Nouveau signalement.", person=kept)
    listed = page(client, personas.coord_a).content.decode()
    assert "Un signalement a été ouvert depuis" in listed and "Annuler la fusion" not in listed
    response = client.post(reverse("cases:undo_merge", args=[done.pk]), follow=True)
    assert f"un signalement a été ouvert depuis sur la fiche conservée ({latest.reference})" in (
        response.content.decode())
    assert Case.objects.get(pk=newer.pk).person_id == older.person_id
    assert PersonMerge.objects.get(pk=done.pk).undone_at is None


def test_a_pair_kept_apart_is_not_proposed_again(client, personas, twins):
    older, newer = twins
    page(client, personas.coord_a)
    response = client.post(pair_url(newer, older), {"dismiss": ""})
    assert response.status_code == 302
    assert DistinctPeople.objects.filter(first=older.person_id, second=newer.person_id).exists()
    assert Event.objects.get(action="person.duplicate_dismiss").details == {"fiche": older.person_id,
                                                                            "autre_fiche": newer.person_id}
    assert "Aucune fiche en double à examiner." in page(client, personas.coord_a).content.decode()
    assert "Écartées le" in page(client, personas.coord_a, pair_url(older, newer)).content.decode()
    with pytest.raises(ActionRefused, match="déjà été écartées"):
        actions.dismiss_duplicate(personas.coord_a, older.person, newer.person)
    assert Case.objects.get(pk=newer.pk).person_id == newer.person_id


def test_a_merge_without_the_record_kept_is_refused_in_french_and_changes_nothing(client, personas, twins):
    older, newer = twins
    client.force_login(personas.coord_a)
    for data in ({"merge": ""}, {"keep": "9999", "merge": ""}, {"keep": "x"}):
        response = client.post(pair_url(older, newer), data)
        assert response.status_code == 400
        assert "Choisissez la fiche à conserver." in response.content.decode() or "Sélectionnez un choix valide" in (
            response.content.decode())
    assert not PersonMerge.objects.exists() and not Event.objects.filter(action="person.merge").exists()
    assert Case.objects.get(pk=newer.pk).person_id == newer.person_id


def test_the_members_and_the_other_departement_reach_nothing(client, personas, twins):
    older, newer = twins
    assert page(client, personas.member_a).status_code == 403
    for user in (personas.member_a, personas.coord_b):
        assert page(client, user, pair_url(older, newer)).status_code == 404
        assert client.post(pair_url(older, newer), {"keep": older.person_id, "merge": ""}).status_code == 404
    denied = Event.objects.filter(action="access.denied", actor_id=personas.coord_b.pk).latest("id")
    assert denied.details["action"] == "merge_people"
    assert page(client, personas.coord_b).status_code == 200  # their own département's: none
    done = merge(client, personas, older, newer)
    for user in (personas.member_a, personas.coord_b):
        client.force_login(user)
        assert client.post(reverse("cases:undo_merge", args=[done.pk])).status_code == 404
    assert PersonMerge.objects.get(pk=done.pk).undone_at is None
    assert not PersonMerge.objects.exclude(pk=done.pk).exists()


def test_crafted_pairs_are_not_found(client, personas, twins):
    older, newer = twins
    elsewhere = CaseFactory(coordinator=personas.coord_b, person=INES)
    another = CaseFactory(coordinator=personas.coord_a)  # Lucas Durand: not the same young person
    for one, other in ((older, older), (older, elsewhere), (older, another)):
        assert page(client, personas.coord_a, pair_url(one, other)).status_code == 404
    merge(client, personas, older, newer)
    assert page(client, personas.coord_a, pair_url(older, newer)).status_code == 404  # merged already
    with pytest.raises(ActionRefused, match="déjà été fusionnée"):
        actions.merge_people(personas.coord_a, older.person, Person.objects.get(pk=newer.person_id))
    with pytest.raises(AccessDenied):  # the Rhône's record is not theirs
        actions.merge_people(personas.coord_a, older.person, elsewhere.person)
    MembershipFactory(user=personas.coord_a, cell=personas.cell_b, coordinator=True)
    policy.forget(personas.coord_a)
    with pytest.raises(ActionRefused, match="même département"):  # even for who coordinates both
        actions.merge_people(personas.coord_a, older.person, elsewhere.person)


def test_no_case_is_opened_on_a_merged_record(client, personas, twins, monkeypatch):
    older, newer = twins
    stale = Person.objects.get(pk=newer.person_id)  # read by an intake before the merge
    merge(client, personas, older, newer)
    with pytest.raises(ValidationError, match="pas suivi par votre cellule"):
        actions.intake(personas.coord_a, personas.cell_a, source="ems", received_on=timezone.localdate(),
                       facts="Nouveau signalement.", person=Person.objects.get(pk=newer.person_id))
    # The merge committed between the intake's check of the record and its save: refused under the lock.
    monkeypatch.setattr(importlib.import_module("cases.actions.intake"), "_young", lambda *args: stale)
    with pytest.raises(ActionRefused, match="fusionné avec une autre fiche"):
        actions.intake(personas.coord_a, personas.cell_a, source="ems", received_on=timezone.localdate(),
                       facts="Nouveau signalement.", person=stale)
    assert not Person.objects.get(pk=newer.person_id).cases.exists()


def test_check_consistency_names_a_merged_record_that_holds_a_case(client, personas, twins):
    older, newer = twins
    merge(client, personas, older, newer)
    Case.objects.filter(pk=newer.pk).update(person=newer.person_id)  # around the entry point
    with pytest.raises(CommandError):
        call_command("check_consistency", stdout=(out := io.StringIO()))
    assert newer.reference in out.getvalue()


def test_the_page_costs_the_same_queries_for_one_pair_or_three(client, personas, twins):
    client.force_login(personas.coord_a)
    url = reverse("cases:duplicates")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).content.decode().count("Examiner ces deux fiches") == 1
    for first_name in ("Noah", "Jade"):
        for _ in range(2):
            CaseFactory(coordinator=personas.coord_a, person={**INES, "first_name": first_name})
    older, newer = twins
    merge(client, personas, older, newer)
    actions.dismiss_duplicate(personas.coord_a, *Person.objects.filter(first_name="Jade"))
    for first_name in ("Léo", "Léo", "Léo"):
        CaseFactory(coordinator=personas.coord_a, person={**INES, "first_name": first_name})
    with CaptureQueriesContext(connection) as three:
        content = client.get(url).content.decode()
    assert content.count("Examiner ces deux fiches") == 4  # Noah's pair and Léo's three
    assert "Annuler la fusion" in content
    assert len(three) == len(one), [q["sql"] for q in three.captured_queries]


def test_a_merge_brings_the_merged_records_relatives_and_its_undo_takes_them_back(client, personas):
    """Inès typed twice, each time with her mother, once with her father too: merged, the kept record's
    family holds the mother once and the father; undone, the father goes back."""
    mother = {"relation": "mother", "last_name": "Benali", "first_name": "Nadia", "phone": "06 45 12 78 90"}
    father = {"relation": "father", "last_name": "Benali", "first_name": "Karim"}
    typed_twice = CaseFactory(coordinator=personas.coord_a, person=INES, relatives=[mother, father])
    kept = CaseFactory(coordinator=personas.coord_a, person={**INES, "first_name": "INES"}, relatives=[mother])
    done = merge(client, personas, kept, typed_twice)
    assert sorted(kept.relatives.values_list("first_name", flat=True)) == ["Karim", "Nadia"]
    assert list(Person.objects.get(pk=typed_twice.person_id).family.relatives.values_list("first_name", flat=True)) \
        == ["Nadia"]  # her second record stays behind, erased with the kept record's last case
    assert broken("famille") == []
    response = client.post(reverse("cases:undo_merge", args=[done.pk]), {"confirm": "on"})
    assert response.status_code == 302
    assert list(kept.relatives.values_list("first_name", flat=True)) == ["Nadia"]
    assert sorted(Case.objects.get(pk=typed_twice.pk).relatives.values_list("first_name", flat=True)) == [
        "Karim", "Nadia"]
