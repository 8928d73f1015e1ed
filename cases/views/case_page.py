"""The actions a user can take on a case, each a form calling its entry point.

One table lists them; one view serves them all: the page shows only the actions the policy and
the case's state allow now, and each form calls the entry point, never the models.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

import audit
from cases import actions, forms
from cases.actions import records
from cases.actions.base import Check
from cases.event_texts import keep
from cases.models import CareMeasure, Case, Relative
from cases.rules import CaseRight, needs_motive
from organisation import policy
from organisation.errors import ActionRefused
from ui.forms import ConfirmForm, submit


@dataclass(frozen=True)
class CaseAction:
    """A button of the case page (or a form on it) and the page of its form: the entry point it calls,
    and that entry point's one check (``entry_point.check``, ``cases.actions.base.Check``), which
    says whether it is offered, and why not."""

    slug: str
    form: type
    entry_point: Callable
    check: Check | None = None  # the entry point's own, unless it is called through a wrapper
    target_model: type | None = None  # the record an action on one record (a measure, a relative) is about
    initial: Callable[[Case, object], dict] = field(default=lambda case, target: {})
    primary: bool = False
    button: bool = True  # offered as a button on the case page; False: its form is on the page itself

    def __post_init__(self) -> None:
        if self.check is None:
            object.__setattr__(self, "check", self.entry_point.check)

    @property
    def title(self) -> str:
        return self.check.title

    def available(self, user, case: Case) -> bool:
        return self.check.refusal(user, case, reads_case=True) is None


def fields_of(instance) -> dict:
    return {f.name: getattr(instance, f.name) for f in instance._meta.concrete_fields}


def on_record(entry_point: Callable) -> Callable:
    """An entry point on one record of the case (a measure), called as the page calls the others."""
    return lambda actor, case, target, **data: entry_point(actor, target, **data)


ACTIONS = [
    CaseAction("contact", forms.ContactForm, actions.record_family_contact, primary=True),
    CaseAction("attribuer", forms.AssignForm, actions.assign, primary=True),
    CaseAction("changer-referent", forms.ChangeReferentForm, actions.change_referent),
    CaseAction("prise-en-charge", forms.StartCareForm, actions.start_care, primary=True),
    CaseAction("revue", forms.ReviewForm, actions.complete_review, primary=True),
    CaseAction("poursuivre", forms.DeclineClosureForm, actions.decline_closure),
    CaseAction("mesure", forms.CareMeasureForm, actions.add_care_measure),
    CaseAction("fin-mesure", forms.EndCareMeasureForm, on_record(actions.end_care_measure), records.END_MEASURE,
               target_model=CareMeasure),
    CaseAction("modifier-mesure", forms.CorrectCareMeasureForm, on_record(actions.edit_care_measure),
               records.CORRECT_MEASURE, target_model=CareMeasure, initial=lambda case, target: fields_of(target)),
    CaseAction("retirer-mesure", forms.RemoveCareMeasureForm,
               lambda actor, case, target, reason, confirm: actions.remove_care_measure(actor, target, reason=reason),
               records.REMOVE_MEASURE, target_model=CareMeasure),
    CaseAction("jeune", forms.PersonForm, actions.edit_person, initial=lambda case, target: fields_of(case.person)),
    CaseAction("proche", forms.RelativeForm, actions.save_relative),
    CaseAction("modifier-proche", forms.RelativeForm,
               lambda actor, case, target, **data: actions.save_relative(actor, case, target, **data),
               records.EDIT_RELATIVE, target_model=Relative, initial=lambda case, target: fields_of(target)),
    CaseAction("adhesion", forms.ConsentForm, actions.record_consent),
    CaseAction("note", forms.NoteForm, actions.add_note, button=False),
    CaseAction("cloturer", forms.CloseForm, actions.close),
    CaseAction("transferer", forms.TransferForm, actions.transfer),
    CaseAction("retirer-transfert", ConfirmForm, actions.withdraw_transfer),
    CaseAction("rouvrir", forms.ReopenForm, actions.reopen),
]
BY_SLUG = {action.slug: action for action in ACTIONS}


def register(*added: CaseAction, after: str) -> None:
    """Add the actions another concern offers on a case page (the mobile team, the cellule's
    interviews), placed after the action ``after``: the case page shows them in that order."""
    taken = [action.slug for action in added if action.slug in BY_SLUG]
    if taken:
        raise ImproperlyConfigured(f"Actions déjà offertes sur la page d'un signalement : {', '.join(taken)}.")
    position = ACTIONS.index(BY_SLUG[after]) + 1
    ACTIONS[position:position] = added
    BY_SLUG.update({action.slug: action for action in added})


@dataclass(frozen=True)
class Panel:
    """A section another concern adds to the case page: its template, given ``panel`` = ``context(user, case)``."""

    template: str
    context: Callable[[object, Case], dict]


PANELS: list[Panel] = []


def register_panel(template: str, context: Callable[[object, Case], dict]) -> None:
    PANELS.append(Panel(template, context))


MOTIVES_KEY = "consultation_motives"


def remember_motive(request, case: Case, reason: str, precision: str = "") -> None:
    """Keep for the session why the user consults this case (the first motive given stands): the
    details its reads record, the reason as chosen and its précision by reference, the text itself
    kept beside the trail and erased with the case (``cases.event_texts``)."""
    motives = request.session.get(MOTIVES_KEY, {})
    if str(case.pk) not in motives:  # the session is written only when it changes
        motive = {"motif": reason, **({"précision": keep(case, precision)} if precision.strip() else {})}
        request.session[MOTIVES_KEY] = {**motives, str(case.pk): motive}


def record_view(request, case: Case, motive: dict | None = None, **details) -> None:
    """A page showing the case's personal data was read (``motive``: as ``remember_motive`` keeps it)."""
    details = {"signalement": case.reference, **(motive or {}), **details}
    audit.record("case.view", obj=case, departement=case.departement.code, details=details)


def available_actions(user, case: Case) -> list[CaseAction]:
    """The buttons of the case page: what the user may do on the case now (records-level actions
    excluded: they sit by their record, and so does the note form)."""
    return [a for a in ACTIONS if a.target_model is None and a.button and a.available(user, case)]


def _make_form(action: CaseAction, case: Case, data=None, files=None, initial=None):
    kwargs = {"case": case} if getattr(action.form, "needs_case", False) else {}
    return action.form(data, files, initial=initial, **kwargs)


def case_action(request, pk: int, slug: str, target: int | None = None):
    action = BY_SLUG.get(slug)
    if action is None or (action.target_model is None) != (target is None):
        raise Http404("Action inconnue.")
    case = policy.get_or_404(request.user, CaseRight.VIEW_CASE,
                             Case.objects.select_related("departement__cell", "person"), pk=pk)
    obj = get_object_or_404(action.target_model, pk=target, case=case) if action.target_model else None
    # The entry point's own check. The real cause first: an action the case's state does not allow
    # is not a missing right (whoever reaches here may read the case: its state tells them nothing new).
    refused = action.check.refusal(request.user, case, reads_case=True)
    if isinstance(refused, ActionRefused):
        messages.error(request, refused.message)
        return redirect("cases:detail", pk=case.pk)
    if refused is not None:
        raise refused
    posted = request.method == "POST"
    form = _make_form(action, case, request.POST if posted else None, request.FILES if posted else None,
                      initial=action.initial(case, obj))
    target = (obj,) if action.target_model else ()
    if submit(request, form, action.title, lambda data: action.entry_point(request.user, case, *target, **data)):
        # Whoever just acted on the case (a member finishing their task) sees its result: the
        # action is the motive of that consultation. Those never asked for one (its coordinators,
        # its referent) are not given one: their session is not written for nothing.
        if needs_motive(request.user, case):
            remember_motive(request, case, f"Suite de l'action « {action.title} »")
        return redirect("cases:detail", pk=case.pk)
    record_view(request, case, page=action.slug)
    return render(request, "cases/case_action.html", {"case": case, "action": action, "form": form, "target": obj},
                  status=400 if request.method == "POST" else 200)
