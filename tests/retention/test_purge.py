"""The purge, years later (time-machine): what is past its retention period is erased everywhere,
in every table and file, except under a legal hold; a dry run changes nothing; a second run finds
nothing to do; the audit trail still verifies."""

import datetime
import zoneinfo
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.utils import timezone

from audit import verification
from audit.models import Event
from cases import actions as cases_actions
from cases.models import Case, State
from organisation.errors import ActionRefused
from reporting.figures import Month, compute
from retention import actions
from retention.models import Erasure
from tests.cases.factories import CaseFactory, transferred
from tests.conftest import build_personas, forget_cached_rights
from tests.retention.canary import full_case, residue, text, unfounded_case

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
T0 = datetime.datetime(2024, 3, 12, 10, 0, tzinfo=PARIS)


def at(years: int, days: int = 0):
    return time_machine.travel(T0.replace(year=T0.year + years) + datetime.timedelta(days=days), tick=False)


def figures(cell, month) -> dict:
    return {name: value for name, value in compute(cell, month).items() if name != "computed_at"}


def dump() -> dict[str, list[str]]:
    """Every row of every table, as text: what a dry run must leave as it was."""
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows[table] = sorted("|".join(text(value) for value in row) for row in cursor.fetchall())
    return rows


def purge(*args) -> str:
    """The command's output; what it leaves for after the commit (the files' removal) is done."""
    out = StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("purge_expired", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_expired_cases_leave_no_personal_value_in_any_table_or_file():
    with at(0):
        personas = build_personas()
        full = full_case(personas, "Zqxalpha")
        unfounded = unfounded_case(personas, "Zqxbravo")
        held = unfounded_case(personas, "Zqxcharlie")
        assert residue("Zqxalpha") and residue("Zqxbravo")  # the search finds what is there
    month = Month(T0.date().replace(day=1))
    report_before = figures(personas.cell_a, month)
    with at(2):
        forget_cached_rights(personas)
        actions.place_hold(personas.coord_a, held, reason="Réquisition du parquet Zqxcharlie")
    with at(5, days=100):  # less than a year before the last purge
        fresh = unfounded_case(personas, "Zqxdelta")

    with at(1, days=-1):  # the day before the unfounded case's year is over: nothing yet
        assert "0 signalement serait effacé" in purge("--dry-run")
    with at(1, days=1):
        before = dump()
        listed = purge("--dry-run")
        assert unfounded.reference in listed and full.reference not in listed
        assert dump() == before  # nothing changed, not even the trail
        assert "1 signalement effacé" in purge()
    with at(5, days=-1):
        assert full.reference not in purge("--dry-run")
    with at(6):
        listed = purge("--dry-run")
        assert full.reference in listed and held.reference not in listed and fresh.reference not in listed
        assert "1 signalement effacé" in purge()
        assert "0 signalement effacé" in purge()  # idempotent

    found = {canary: residue(canary) for canary in ("Zqxalpha", "Zqxbravo", "Zqxcharlie", "Zqxdelta")}
    print("residue after the purge:", found)
    # Every table (the e-mail queue's too: its messages carry no text about a person) and every file.
    assert found["Zqxalpha"] == {} and found["Zqxbravo"] == {}, found
    assert found["Zqxcharlie"] and found["Zqxdelta"]  # held, and not expired: untouched
    assert set(Erasure.objects.values_list("case_id", "rule")) == {(full.pk, "closed"), (unfounded.pk, "not_relevant")}
    tombstones = Event.objects.filter(action="retention.erase").order_by("id")
    assert [(e.object_id, e.details["signalement"]) for e in tombstones] == [
        (str(unfounded.pk), unfounded.reference), (str(full.pk), full.reference)]
    # What the reports count stays: the case's dates, states and reasons.
    full.refresh_from_db()
    assert (full.state, full.closure_reason, full.received_on) == (State.CLOSED, "completed", T0.date())
    assert full.care_measures.count() == 1 and full.mobile_team_requests.get().status == "completed"
    assert Case.history.filter(id=full.pk).exists()
    assert figures(personas.cell_a, month) == report_before  # the monthly report counts the same
    assert verification.verify().ok


@pytest.mark.django_db
def test_a_lifted_hold_lets_the_purge_erase_the_case():
    with at(0):
        personas = build_personas()
        case = unfounded_case(personas, "Zqxecho")
        hold = actions.place_hold(personas.coord_a, case, reason="Contentieux en cours")
    with at(3):
        forget_cached_rights(personas)
        assert case.reference not in purge("--dry-run")
        actions.lift_hold(personas.coord_a, case, reason="Contentieux clos")
        hold.refresh_from_db()
        assert hold.lifted_by == personas.coord_a
        assert case.reference in purge("--dry-run")
        purge()
    assert residue("Zqxecho") == {}
    hold.refresh_from_db()
    assert hold.reason == "" and hold.lift_reason == ""


@pytest.mark.django_db
def test_an_erased_case_is_not_reopened():
    with at(0):
        personas = build_personas()
        case = unfounded_case(personas, "Zqxfoxtrot")
    with at(3):
        forget_cached_rights(personas)
        purge()
        with pytest.raises(ActionRefused, match="ne se rouvre pas"):
            cases_actions.reopen(personas.coord_a, case, reason="Nouveau signalement.")
    case.refresh_from_db()
    assert case.state == State.CLOSED


@pytest.mark.django_db
def test_a_transferred_case_goes_with_the_case_that_continues_it():
    with at(0):
        personas = build_personas()
        origin = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
        continued = transferred(personas, origin)
    with at(6):  # the origin closed six years ago; the case it became is still followed in the Rhône
        forget_cached_rights(personas)
        assert origin.reference not in purge("--dry-run")
        cases_actions.close(personas.coord_b, continued, reason="unfounded", note="Sans suite.")
    with at(12):
        forget_cached_rights(personas)
        purge()  # the case that continued it first
        assert Erasure.objects.filter(case=continued).exists() and not Erasure.objects.filter(case=origin).exists()
        purge()  # then the origin, its file with it
    assert Erasure.objects.filter(case=origin).exists()


@pytest.mark.django_db
def test_the_young_person_goes_with_the_last_of_their_cases():
    """Signalé again a year after an unfounded case: the first case's purge erases its own rows but not
    the young person, whom the second case still follows; the second's erases them, history included."""
    with at(0):
        personas = build_personas()
        first = unfounded_case(personas, "Zqxecho")
    with at(0, days=300):
        forget_cached_rights(personas)
        second = cases_actions.intake(personas.coord_a, personas.cell_a, source="cnapr",
                                      received_on=timezone.localdate(), facts="Faits Zqxfoxtrot",
                                      person=first.person)
        cases_actions.close(personas.coord_a, second, reason="unfounded", note="Infondé Zqxfoxtrot")
    with at(1, days=1):
        assert "1 signalement effacé" in purge()
        assert residue("Zqxfoxtrot")  # the second case, not expired yet
        names = residue("Zqxecho")
        assert set(names) == {"cases_person", "cases_historicalperson", "cases_searchtoken"}, names
    with at(2):
        assert "1 signalement effacé" in purge()
    assert residue("Zqxecho") == {} and residue("Zqxfoxtrot") == {}
    person = Case.objects.get(pk=second.pk).person
    assert person.birth_date.month == person.birth_date.day == 1 and person.sex == "m"
    assert verification.verify().ok


@pytest.mark.django_db
def test_the_familys_relatives_go_with_the_last_case_about_its_young_people():
    """Two brothers share their mother's record: the elder's purge leaves her, whom the younger's case
    still needs; the younger's erases her, her history included."""
    with at(0):
        personas = build_personas()
        elder = cases_actions.intake(personas.coord_a, personas.cell_a, source="ems", received_on=timezone.localdate(),
                                     facts="Faits Zqxjuliet", person={
                                         "last_name": "Zqxjuliet-Nom", "first_name": "Aîné", "sex": "m",
                                         "birth_date": timezone.localdate().replace(year=2009), "commune": "Bobigny"},
                                     relatives=[{"relation": "mother", "last_name": "Zqxjuliet-mere",
                                                 "first_name": "Nadia", "phone": "06 11 22 33 44"}])
        cases_actions.close(personas.coord_a, elder, reason="unfounded", note="Infondé Zqxjuliet")
    with at(0, days=300):
        forget_cached_rights(personas)
        younger = cases_actions.intake(personas.coord_a, personas.cell_a, source="cnapr",
                                       received_on=timezone.localdate(), facts="Faits Zqxkilo",
                                       person={"last_name": "Zqxkilo-Nom", "first_name": "Cadet", "sex": "m",
                                               "birth_date": timezone.localdate().replace(year=2012),
                                               "commune": "Bobigny"},
                                       relatives=[{"relation": "mother", "last_name": "Zqxjuliet-mere",
                                                   "first_name": "Nadia", "email": "zqxjuliet@example.org"}],
                                       family=elder.person.family)
        cases_actions.close(personas.coord_a, younger, reason="unfounded", note="Infondé Zqxkilo")
    assert younger.relatives.get().email == "zqxjuliet@example.org"  # one record, completed
    with at(1, days=1):
        assert "1 signalement effacé" in purge()
        names = residue("Zqxjuliet")
        assert set(names) == {"cases_relative", "cases_historicalrelative"}, names  # the mother stays
    with at(2):
        assert "1 signalement effacé" in purge()
    assert residue("Zqxjuliet") == {} and residue("Zqxkilo") == {}
    assert verification.verify().ok


@pytest.mark.django_db
def test_a_record_merged_into_another_goes_with_the_last_case_of_the_record_kept():
    """Typed twice, merged: the merged record keeps no case of its own, and goes, with its family's
    relatives the kept one already had, when the kept record's last case is erased."""
    with at(0):
        personas = build_personas()
        cases = [cases_actions.intake(
            personas.coord_a, personas.cell_a, source="ems", received_on=timezone.localdate(), facts="Faits Zqxlima",
            person={"last_name": "Zqxlima-Nom", "first_name": first, "sex": "f",
                    "birth_date": timezone.localdate().replace(year=2010), "commune": "Bobigny"},
            relatives=[{"relation": "mother", "last_name": "Zqxlima-mere", "first_name": "Nadia"}])
            for first in ("Inès", "INES")]
        cases_actions.merge_people(personas.coord_a, Case.objects.get(pk=cases[1].pk).person,
                                   Case.objects.get(pk=cases[0].pk).person)
        for case in cases:
            cases_actions.close(personas.coord_a, Case.objects.get(pk=case.pk), reason="unfounded", note="Infondé.")
    with at(1, days=1):
        assert "2 signalements effacés" in purge()
    assert residue("Zqxlima") == {}
    assert verification.verify().ok
