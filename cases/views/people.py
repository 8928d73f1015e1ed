"""A young person's page: who they are, every case about them the reader opens, what happened across
those cases, and the relatives the cases name. A case the reader opens only with a motive asks it
first, as its own page does; the cases they may not open are counted, never shown."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

import audit
from audit.models import Event
from cases import event_texts
from cases.models import Consent, Person, Relative
from cases.rules import CaseRight
from cases.views.reading import ask_motive, motive_for
from organisation import policy

TIMELINE = 100  # the last events shown across the cases


@require_safe
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = policy.get_or_404(request.user, CaseRight.VIEW_PERSON, Person.objects.select_related("departement"),
                               pk=pk)
    cases = list(person.cases.select_related("departement", "referent").order_by("-received_on", "-number"))
    readable = [case for case in cases if policy.can(request.user, CaseRight.VIEW_CASE, case)]
    motives = {case.pk: motive_for(request, case) for case in readable}
    shown = [case for case in readable if motives[case.pk] is not None]
    if not shown:  # their latest case asks why, then comes back here
        return ask_motive(request, readable[0])
    given = next((motive for motive in motives.values() if motive), {})
    audit.record("person.view", obj=person, departement=person.departement.code,
                 details={"signalements": [case.reference for case in shown], **given})
    references = {str(case.pk): case.reference for case in shown}
    timeline = list(Event.objects.filter(object_type="cases.case", object_id__in=list(references))
                    .exclude(action="case.view").order_by("-time", "-id")[:TIMELINE])
    event_texts.resolve(timeline)
    current = Consent.current(Consent.objects.filter(case__in=shown))
    return render(request, "cases/person_detail.html", {
        "person": person,
        "age": person.age(timezone.localdate()),
        "cases": [(case, [consent for (of, _), consent in sorted(current.items()) if of == case.pk])
                  for case in shown],
        "others": len(cases) - len(shown),
        "timeline": [(references[event.object_id], event) for event in timeline],
        "relatives": Relative.objects.filter(case__in=shown).select_related("case"),
    })
