"""A young person's page: who they are, every case about them the reader opens, what happened across
those cases, and their family. A family's page: its young people and their cases, its relatives. A
case the reader opens only with a motive asks it first, as its own page does; the cases they may not
open are counted, never shown, and so are the young people of the family those cases are about."""

from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

import audit
from audit.models import Event
from cases import event_texts
from cases.models import Case, Consent, Family, Person
from cases.rules import CaseRight
from cases.views.reading import ask_motive, motive_for
from organisation import policy

TIMELINE = 100  # the last events shown across the cases


class Reading:
    """The cases of a page the reader opens now (``shown``: readable, their motive given or not needed),
    those they may read after giving a motive (``readable``), and the motive given for them."""

    def __init__(self, request: HttpRequest, cases: Iterable[Case]) -> None:
        self.cases = list(cases)
        self.readable = [case for case in self.cases if policy.can(request.user, CaseRight.VIEW_CASE, case)]
        motives = {case.pk: motive_for(request, case) for case in self.readable}
        self.shown = [case for case in self.readable if motives[case.pk] is not None]
        self.motive = next((motive for motive in motives.values() if motive), {})

    def record(self, action: str, obj: Person | Family, departement: str) -> None:
        audit.record(action, obj=obj, departement=departement,
                     details={"signalements": [case.reference for case in self.shown], **self.motive})


@require_safe
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = policy.get_or_404(request.user, CaseRight.VIEW_PERSON, Person.objects.select_related("departement"),
                               pk=pk)
    reading = Reading(request, Case.objects.filter(person__family_id=person.family_id)
                      .select_related("departement", "referent", "person").order_by("-received_on", "-number"))
    own = [case for case in reading.shown if case.person_id == person.pk]
    if not own:  # their latest case asks why, then comes back here
        return ask_motive(request, next(case for case in reading.readable if case.person_id == person.pk))
    reading.record("person.view", person, person.departement.code)
    references = {str(case.pk): case.reference for case in own}
    timeline = list(Event.objects.filter(object_type="cases.case", object_id__in=list(references))
                    .exclude(action="case.view").order_by("-time", "-id")[:TIMELINE])
    event_texts.resolve(timeline)
    current = Consent.current(Consent.objects.filter(case__in=own))
    return render(request, "cases/person_detail.html", {
        "person": person,
        "age": person.age(timezone.localdate()),
        "cases": [(case, [consent for (of, _), consent in sorted(current.items()) if of == case.pk])
                  for case in own],
        "others": sum(case.person_id == person.pk for case in reading.cases) - len(own),
        "siblings": _young_people(case for case in reading.shown if case.person_id != person.pk),
        "timeline": [(references[event.object_id], event) for event in timeline],
        "relatives": person.family.relatives.all(),
    })


@require_safe
def family_detail(request: HttpRequest, pk: int) -> HttpResponse:
    family = policy.get_or_404(request.user, CaseRight.VIEW_FAMILY, Family.objects.select_related("departement"),
                               pk=pk)
    reading = Reading(request, Case.objects.filter(person__family=family)
                      .select_related("departement", "referent", "person").order_by("-received_on", "-number"))
    if not reading.shown:
        return ask_motive(request, reading.readable[0])
    reading.record("family.view", family, family.departement.code)
    shown = {case.person_id for case in reading.shown}
    young_people = _young_people(reading.shown)
    return render(request, "cases/family_detail.html", {
        "family": family,
        "name": " / ".join(sorted({person.last_name.upper() for person, _ in young_people})),
        "young_people": young_people,
        "others": len({case.person_id for case in reading.cases} - shown),
        "relatives": family.relatives.all(),
    })


def _young_people(cases: Iterable[Case]) -> list[tuple[Person, list[Case]]]:
    """The young people of ``cases``, each with theirs, the youngest last."""
    people: dict[int, tuple[Person, list[Case]]] = {}
    for case in cases:
        people.setdefault(case.person_id, (case.person, []))[1].append(case)
    return sorted(people.values(), key=lambda item: item[0].birth_date)
