"""The retention periods: from the closure, or from the later of the closure and the majority; the
shorter period of a case that never went past "Reçu"; open, held or erased cases never expire."""

import datetime

import pytest
from django.utils import timezone

from cases import actions as cases_actions
from retention import actions
from retention.periods import Periods, expired, kept_until
from tests.cases.factories import CaseFactory, person_data

CLOSURE = Periods(closed_years=5, closed_from="closure", not_relevant_years=1, audit_years=6)
MAJORITY = Periods(closed_years=5, closed_from="majority", not_relevant_years=1, audit_years=6)


def day(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year + years, day=min(today.day, 28)) + datetime.timedelta(days=days)


@pytest.fixture
def followed(personas):
    """Closed today after a care, the young person 14: majority in about four years."""
    birth = day(-14)
    return CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, closed=True,
                       person=person_data(birth_date=birth))


def test_a_closed_case_expires_five_years_after_its_closure_or_after_the_majority(followed):
    assert kept_until(followed, CLOSURE) == day(5)
    assert kept_until(followed, MAJORITY) == day(4 + 5)
    assert followed in expired(day(5, 2), CLOSURE)
    assert followed not in expired(day(5, 2), MAJORITY)
    assert followed in expired(day(9, 2), MAJORITY)
    assert followed not in expired(day(5, -2), CLOSURE)


def test_a_case_that_never_went_past_received_expires_after_one_year(personas):
    case = CaseFactory(coordinator=personas.coord_a)
    assert case not in expired(day(10), CLOSURE)  # open: never
    cases_actions.close(personas.coord_a, case, reason="unfounded", note="Hors champ.")
    case.refresh_from_db()
    assert kept_until(case, CLOSURE) == day(1)
    assert [c.not_relevant for c in expired(day(1, 2), CLOSURE)] == [True]


def test_a_held_case_does_not_expire_until_its_hold_is_lifted(personas, followed):
    actions.place_hold(personas.coord_a, followed, reason="Réquisition.")
    assert followed not in expired(day(20), CLOSURE)
    actions.lift_hold(personas.coord_a, followed, reason="Classement.")
    assert followed in expired(day(20), CLOSURE)
