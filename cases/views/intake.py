"""The intake form, with the duplicate check: a young person who may already be followed is shown
before anything is saved, with their cases, and the coordinator adds the signalement to their open
case, opens a new case on the same young person, or confirms another person (``cases.matching``).
A new young person whose brother or sister may be followed (``matching.find_families``) joins that
family, or a new one, as the coordinator says."""

import hashlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render

import audit
from cases import actions, matching
from cases.forms import IntakeForm
from cases.matching import NEW, SAME_PERSON
from cases.models import Case, CaseSignalement, Family, Person, State
from cases.rules import CaseRight
from organisation import policy
from organisation.errors import ActionRefused
from ui.forms import add_errors

OWN_FAMILY = "none"  # the family decision "none of these: a family of their own"


def intake(request):
    cell = policy.coordinated_cell(request.user, CaseRight.INTAKE)
    form = IntakeForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "cell": cell}
    if request.method == "POST" and form.is_valid():
        found = Found(request, cell, form)
        decision = request.POST.get("decision", "") if (found.candidates or found.elsewhere) else NEW
        # A decision holds for what it was given on: changed names or birth date are checked again.
        if not (request.POST.get("decision") and request.POST.get("checked") == found.seen()):
            if found:
                audit.record("case.duplicate_check", departement=cell.departement.code,
                             details={"signalements": [c.case.reference for c in found.candidates],
                                      "ailleurs": [e.departement.code for e in found.elsewhere],
                                      **found.families_shown()})
                return render(request, "cases/intake.html", {**context, **found.asked()})
            decision = NEW
        done = _decided(request, cell, form, decision, found)
        if done:
            return done
        if found:
            context.update(found.asked())
    return render(request, "cases/intake.html", context, status=400 if request.method == "POST" else 200)


class Found:
    """What the duplicate check shows: the young people of the cellule who may be this one, whose case
    shown the user may see; the other départements where one may be known, and whom to contact there
    (only that); the families whose young people the user follows that this one may belong to."""

    def __init__(self, request, cell, form: IntakeForm) -> None:
        self.form = form
        person = {name: form.cleaned_data[f"person_{name}"] for name in ("last_name", "first_name", "birth_date")}
        found = matching.find_candidates(cell.departement, **person)
        visible = set(Case.objects.visible_to(request.user).filter(pk__in=[c.case.pk for c in found])
                      .values_list("pk", flat=True))
        self.candidates = [c for c in found if c.case.pk in visible]
        self.elsewhere = matching.elsewhere(cell.departement, **person)
        families = matching.find_families(cell.departement, last_name=person["last_name"],
                                          address=form.cleaned_data["person_address"],
                                          relatives=form.entry_point_arguments()["relatives"])
        followed = set(Case.objects.visible_to(request.user).filter(person__family__in=[f.family for f in families])
                       .values_list("person__family", flat=True))
        self.families = [f for f in families if f.family.pk in followed]

    def families_shown(self) -> dict[str, list[int]]:
        return {"familles": [f.family.pk for f in self.families]} if self.families else {}

    def __bool__(self) -> bool:
        return bool(self.candidates or self.elsewhere or self.families)

    def asked(self) -> dict:
        return {"candidates": self.candidates, "elsewhere": self.elsewhere, "families": self.families,
                "checked": self.seen(), "closed": State.CLOSED}

    def seen(self) -> str:
        """What a decision is given on: the young person's identity and the people shown, each with their
        cases and the count of signalements of the case shown, and the families shown. The same form
        sent again (the back button, a replayed request) after it opened a case or added a signalement
        finds one more, and asks again rather than recording the signalement twice."""
        candidates = self.candidates
        received = dict(CaseSignalement.objects.filter(case__in=[c.case for c in candidates]).values("case")
                        .annotate(count=Count("pk")).values_list("case", "count"))
        cases = dict(Case.objects.filter(person__in=[c.person for c in candidates]).values("person")
                     .annotate(count=Count("pk")).values_list("person", "count"))
        shown = [f"{c.person.pk}:{cases.get(c.person.pk, 0)}:{c.case.pk}:{received.get(c.case.pk, 0)}"
                 for c in candidates]
        families = [f"famille:{f.family.pk}" for f in self.families]
        elsewhere = [f"ailleurs:{e.departement.code}" for e in self.elsewhere]
        return hashlib.sha256("|".join([self.form.fingerprint(), *elsewhere, *shown, *families])
                              .encode()).hexdigest()[:16]

    def family(self, request) -> Family | None:
        """The family chosen for a new young person among those shown; None for a family of their own."""
        chosen = request.POST.get("family", "")
        if not self.families or chosen == OWN_FAMILY:
            return None
        family = next((f.family for f in self.families if str(f.family.pk) == chosen), None)
        if family is None:
            raise ValidationError("Indiquez si ce jeune est de l'une des familles proposées, ou d'une autre famille.")
        return family


def _decided(request, cell, form: IntakeForm, decision: str, found: Found):
    """Open a new case (another young person than those of the cases ``dismissed``, or on the young
    person chosen), or record the signalement on the case chosen; the redirect, or None when the input
    was refused (the errors are on the form)."""
    dismissed = [c.case.reference for c in found.candidates]
    try:
        if decision == NEW or decision.startswith(SAME_PERSON):
            arguments = form.entry_point_arguments()
            if decision != NEW:
                arguments["person"] = _known_person(request, cell, decision.removeprefix(SAME_PERSON))
            else:
                arguments["family"] = found.family(request)
            case = actions.intake(request.user, cell, **arguments,
                                  dismissed=dismissed if decision == NEW else ())
            messages.success(request, f"Signalement {case.reference} enregistré.")
            return redirect("cases:detail", pk=case.pk)
        if not decision.isdigit():
            form.add_error(None, "Choisissez le signalement auquel rattacher celui-ci, ou « nouvelle personne ».")
            return None
        case = policy.get_or_404(request.user, CaseRight.VIEW_CASE, Case.objects.select_related("departement__cell"),
                                 pk=int(decision))
        actions.add_signalement(request.user, case, **form.signalement_arguments())
    except ValidationError as error:
        add_errors(form, _prefixed(error))
        return None
    except ActionRefused as refusal:
        form.add_error(None, str(refusal))
        return None
    told = ("son référent est prévenu" if case.referent is not None and case.referent.is_active  # notify_signalement
            else "il n'a pas de référent : les coordonnateurs de la cellule sont prévenus")
    messages.success(request, f"Nouveau signalement enregistré sur le dossier {case.reference} ; {told}.")
    return redirect("cases:detail", pk=case.pk)


def _known_person(request, cell, pk: str) -> Person:
    """The young person chosen, of the cellule's département and one the user follows; 404 otherwise."""
    return policy.get_or_404(request.user, CaseRight.VIEW_PERSON, Person.objects.filter(
        departement=cell.departement), pk=int(pk) if pk.isdigit() else 0)


def _prefixed(error: ValidationError) -> ValidationError:
    """The person's field errors carry the form's ``person_`` prefix."""
    if not hasattr(error, "error_dict"):
        return error
    person_fields = {"last_name", "first_name", "birth_date", "sex", "commune", "address", "situation"}
    return ValidationError({(f"person_{k}" if k in person_fields else k): v for k, v in error.error_dict.items()})
