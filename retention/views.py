"""The coordinators' answers to the people concerned: the persons of a case, the export of what is
held about one of them, the rectification of their data."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

import audit
from cases.models import Case, Person, Relative
from cases.views.case_page import fields_of
from organisation import policy
from organisation.errors import ActionRefused
from retention import access, actions
from retention.forms import rectify_form
from retention.models import Erasure
from retention.rules import RetentionRight
from ui.forms import submit

QUERYSET = Case.objects.select_related("departement", "person")


def _case(request, pk: int) -> Case:
    return policy.get_or_404(request.user, RetentionRight.ANSWER, QUERYSET, pk=pk)


def _person(case: Case, kind: str, person: int) -> Person | Relative:
    if kind == "jeune" and person == case.person.pk:
        return case.person
    if kind == "proche":
        relative = case.relatives.filter(pk=person).first()
        if relative is not None:
            return relative
    raise Http404("Personne introuvable dans ce signalement.")


@require_GET
def persons(request, pk: int):
    case = _case(request, pk)
    audit.record("retention.person_view", obj=case, departement=case.departement.code,
                 details={"signalement": case.reference})
    return render(request, "retention/persons.html", {
        "case": case, "relatives": case.relatives.all(), "erasure": Erasure.objects.filter(case=case).first(),
        "hold": case.legal_holds.filter(lifted_at__isnull=True).first(),
    })


@require_GET
def export(request, pk: int, kind: str, person: int):
    case = _case(request, pk)
    try:
        content = actions.export_person(request.user, case, _person(case, kind, person))
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("retention:persons", pk=case.pk)
    response = HttpResponse(content, content_type="application/zip")
    name = f"{case.reference}-{kind}-{person}.zip"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return response


def rectify(request, pk: int, kind: str, person: int):
    case = _case(request, pk)
    target = _person(case, kind, person)
    form_class = rectify_form(kind)
    posted = request.method == "POST"
    form = form_class(request.POST if posted else None, initial=fields_of(target))
    if submit(request, form, "Rectification", lambda data: actions.rectify(request.user, case, target, **data),
              done="Rectification enregistrée."):
        return redirect("retention:persons", pk=case.pk)
    audit.record("retention.person_view", obj=case, departement=case.departement.code,
                 details={"signalement": case.reference, "personne": access.who(target)})
    return render(request, "retention/rectify.html", {"case": case, "target": target, "form": form},
                  status=400 if posted else 200)
