"""The monthly figures read from each case's state at two instants and the month's own history rows give
what a replay of the département's whole history gives, month after month, young people and families
counted once however many cases they have; and the report page costs the same few queries whatever the
number of cases."""

import datetime
import random
import zoneinfo
from collections import Counter

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import actions
from cases.models import CareMeasure, Case, ClosureReason, Person, State
from reporting.figures import Month, compute
from tests.cases.factories import CaseFactory, transferred
from tests.organisation.factories import InstitutionFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
MONTHS = [Month(datetime.date(2026, number, 1)) for number in range(1, 8)]
REASONS = [reason for reason in ClosureReason.values if reason != ClosureReason.TRANSFERRED]


def replayed(departement_id: int, month: Month) -> dict:
    """The case figures as the report first computed them: every history row of the département, from
    its first, replayed in order; each case's young person and family, and every family measure, read
    one by one."""
    cases: dict[int, tuple[str, bool, list]] = {}
    rows = Case.history.filter(departement_id=departement_id, history_date__lt=month.end)
    for row in rows.order_by("history_date", "history_id"):
        state, was_open, closures = cases.get(row.id, (None, False, []))
        if row.history_date >= month.start:
            was_open = was_open or state not in (None, State.CLOSED)
            if row.state == State.CLOSED and state != State.CLOSED:
                closures = [*closures, row.closure_reason]
        cases[row.id] = (row.state, was_open, closures)
    at_end = Counter(state for state, _, _ in cases.values())
    person = dict(Case.objects.values_list("pk", "person_id"))
    family = dict(Person.objects.values_list("pk", "family_id"))
    families = {family[person[measure.case_id]] for measure in CareMeasure.objects.filter(
        case__departement_id=departement_id, beneficiary=CareMeasure.Beneficiary.FAMILY)
        if measure.starts_on <= month.last and (measure.ends_on is None or measure.ends_on >= month.first)}
    return {
        "young_people_followed": len({person[case] for case, (state, was_open, _) in cases.items()
                                      if was_open or state != State.CLOSED}),
        "families_followed": len(families),
        "cases_by_state_at_month_end": {label: at_end[value] for value, label in State.choices},
        "closures_by_reason": {label: Counter(r for _, _, rs in cases.values() for r in rs)[value]
                               for value, label in ClosureReason.choices},
    }


def case_figures(figures: dict) -> dict:
    return {key: figures[key] for key in ("young_people_followed", "families_followed",
                                          "cases_by_state_at_month_end", "closures_by_reason")}


def at(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def seven_months(personas):
    """Sixteen cases received from January to June 2026, each closed and reopened at random instants (some
    twice in a month, some at the very instant of another change, one across the turn of a month), one
    transferred to the Rhône; one in four about a young person signalé before, one in five about the
    brother or sister of one; a family measure on one in three, ended with its case."""
    draw = random.Random(12)
    events = []
    for number in range(16):
        received = datetime.datetime(2026, 1 + number % 6, 1 + draw.randrange(28), 9, tzinfo=PARIS)
        events.append((received, number, "intake"))
        moment = received
        for _ in range(draw.randrange(5)):
            moment += datetime.timedelta(days=draw.choice([0, 1, 3, 12, 30, 45]), hours=draw.choice([0, 1]))
            events.append((moment, number, "toggle"))
    events.append((datetime.datetime(2026, 3, 31, 23, 59, tzinfo=PARIS), 0, "toggle"))
    events.append((datetime.datetime(2026, 4, 1, 0, 0, tzinfo=PARIS), 0, "toggle"))
    cases: dict[int, Case] = {}
    institution = InstitutionFactory(name="Maison des familles", category="association", partner=True)
    for moment, number, event in sorted(events, key=lambda event: (event[0], event[1], event[2] != "intake")):
        with at(moment):
            if event == "intake":
                earlier = list(cases.values())
                known = {"person": earlier[-2].person} if len(earlier) % 4 == 3 else {
                    "family": earlier[-1].person.family} if len(earlier) % 5 == 4 else {}
                cases[number] = CaseFactory(coordinator=personas.coord_a, received_on=moment.date(), **known,
                                            **({} if "person" in known else {"relatives": []}))
                if number % 3 == 0:
                    actions.add_care_measure(personas.coord_a, cases[number], modality="family_support",
                                             beneficiary="family", starts_on=moment.date(), institution=institution,
                                             adhesion="not_needed", adhesion_note="Mesure ordonnée.")
            elif cases[number].state == State.CLOSED:
                cases[number] = actions.reopen(personas.coord_a, cases[number], reason="Nouveaux éléments.")
            else:
                cases[number] = actions.close(personas.coord_a, cases[number], reason=draw.choice(REASONS),
                                              note="Note.", measures_outcome="completed")
    with at(datetime.datetime(2026, 5, 20, 10, tzinfo=PARIS)):
        open_case = next(case for case in cases.values() if case.state != State.CLOSED)
        transferred(personas, open_case, note="Départ.")
    return cases


def test_month_after_month_the_figures_are_those_of_a_full_replay(personas, seven_months):
    closures, reopened, counted_once, family_once = 0, 0, 0, 0
    for month in MONTHS:
        for cell in (personas.cell_a, personas.cell_b):
            figures = case_figures(compute(cell, month))
            assert figures == replayed(cell.departement_id, month), (cell, month)
            closures += sum(figures["closures_by_reason"].values())
            open_cases = sum(figures["cases_by_state_at_month_end"].values()) - figures[
                "cases_by_state_at_month_end"]["Clôturé"]
            counted_once += figures["young_people_followed"] < open_cases
            measures = CareMeasure.objects.filter(case__departement_id=cell.departement_id, beneficiary="family",
                                                  starts_on__lte=month.last).exclude(ends_on__lt=month.first)
            family_once += figures["families_followed"] < measures.count()
        reopened += Case.history.filter(history_date__gte=month.start, history_date__lt=month.end,
                                        history_type="~", state=State.RECEIVED).count()
    assert closures and reopened  # the data set does close and reopen cases
    assert counted_once and family_once  # and a young person with two open cases, a family with two measures, once


def test_a_case_closed_then_reopened_counts_only_in_the_months_it_was_open(personas):
    with at(datetime.datetime(2026, 1, 10, 9, tzinfo=PARIS)):
        case = CaseFactory(coordinator=personas.coord_a, received_on=datetime.date(2026, 1, 10))
    with at(datetime.datetime(2026, 1, 31, 23, 30, tzinfo=PARIS)):
        case = actions.close(personas.coord_a, case, reason="left", note="Départ.")
    with at(datetime.datetime(2026, 4, 1, 0, 30, tzinfo=PARIS)):
        case = actions.reopen(personas.coord_a, case, reason="Retour.")
    with at(datetime.datetime(2026, 4, 2, 9, tzinfo=PARIS)):
        case = actions.close(personas.coord_a, case, reason="completed", note="Fin.")
    with at(datetime.datetime(2026, 4, 3, 9, tzinfo=PARIS)):
        case = actions.reopen(personas.coord_a, case, reason="Retour.")
    followed = [compute(personas.cell_a, month)["young_people_followed"] for month in MONTHS[:5]]
    assert followed == [1, 0, 0, 1, 1]
    april = compute(personas.cell_a, MONTHS[3])
    assert {k: v for k, v in april["closures_by_reason"].items() if v} == {"Prise en charge achevée": 1}
    assert {k: v for k, v in april["cases_by_state_at_month_end"].items() if v} == {"Reçu": 1}
    assert compute(personas.cell_a, MONTHS[1])["cases_by_state_at_month_end"]["Clôturé"] == 1


def test_the_figures_are_one_query(personas, seven_months, django_assert_num_queries):
    cell = type(personas.cell_a).objects.select_related("departement").get(pk=personas.cell_a.pk)
    with django_assert_num_queries(1):
        compute(cell, MONTHS[2])


def page_queries(client, month: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(reverse("reports:detail", args=[month])).status_code == 200
    return len(context.captured_queries)


def test_the_report_page_costs_the_same_few_queries_as_cases_grow(client, personas, django_assert_max_num_queries):
    client.force_login(personas.coord_a)
    with at(datetime.datetime(2026, 3, 5, 9, tzinfo=PARIS)):
        CaseFactory(coordinator=personas.coord_a, received_on=datetime.date(2026, 3, 5))
        page_queries(client, "2026-03")  # the first request of the session writes it
        few = page_queries(client, "2026-03")
        for _ in range(6):
            case = CaseFactory(coordinator=personas.coord_a, received_on=datetime.date(2026, 3, 5))
            actions.close(personas.coord_a, case, reason="unfounded", note="Hors champ.")
        with django_assert_max_num_queries(8):
            assert page_queries(client, "2026-03") == few
        assert "Jeunes" in client.get(reverse("reports:detail", args=["2026-03"])).content.decode()
