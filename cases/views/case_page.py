"""The actions a user can take on a case, each a form calling its entry point.

One table lists them; one view serves them all: the page shows only the actions the policy and
the case's state allow now, and each form calls the entry point, never the models.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.datastructures import MultiValueDict

import audit
from cases import actions, forms, plan_forms, prosecutor_forms
from cases.actions import consent, plan, records
from cases.actions.base import Check, EntryPoint
from cases.event_texts import keep
from cases.models import CareMeasure, Case, Objective, PlanAction, Relative
from cases.rules import CaseRight, needs_motive
from cases.views.brief import after_task, brief
from organisation import policy
from organisation.errors import ActionRefused
from organisation.policy import AccessDenied, Actor
from ui.forms import ConfirmForm, submit


@dataclass(frozen=True)
class CaseAction:
    """A button of the case page (or a form on it) and the page of its form: the entry point it calls,
    and that entry point's one check (``entry_point.check``, ``cases.actions.base.Check``), which
    says whether it is offered, and why not."""

    slug: str
    form: type[BaseForm]
    entry_point: Callable[..., Any]
    check: Check | None = None  # the entry point's own, unless it is called through a wrapper
    # The model of the record an action on one record (a measure, a relative) is about.
    target_model: type[models.Model] | None = None
    initial: Callable[[Case, Any], dict[str, Any]] = field(default=lambda case, target: {})
    primary: bool = False
    button: bool = True  # offered as a button on the case page; False: its form is on the page itself
    # The URL name of a page of its own (given the case's pk) where its form leads to something other
    # than a change: the case's file as a PDF (``cases.views.export``).
    page: str = ""

    def __post_init__(self) -> None:
        if self.check is None:
            object.__setattr__(self, "check", cast(EntryPoint[..., Any], self.entry_point).check)

    @property
    def title(self) -> str:
        return self._check.title

    def refusal(self, user: Actor, case: Case) -> AccessDenied | ActionRefused | None:
        """What refuses the action now; the user reads the case, so its state first (``Check.refusal``)."""
        return self._check.refusal(user, case, reads_case=True)

    def available(self, user: Actor, case: Case) -> bool:
        return self.refusal(user, case) is None

    @property
    def _check(self) -> Check:
        return cast(Check, self.check)  # set once built (``__post_init__``)


def fields_of(instance: models.Model) -> dict[str, Any]:
    return {f.name: getattr(instance, f.name) for f in instance._meta.concrete_fields}


def on_record(entry_point: Callable[..., Any]) -> Callable[..., Any]:
    """An entry point on one record of the case (a measure), called as the page calls the others."""
    return lambda actor, case, target, **data: entry_point(actor, target, **data)


ACTIONS = [
    CaseAction("contact", forms.ContactForm, actions.record_family_contact, primary=True),
    CaseAction("attribuer", forms.AssignForm, actions.assign, primary=True),
    CaseAction("changer-referent", forms.ChangeReferentForm, actions.change_referent),
    CaseAction("prise-en-charge", plan_forms.StartCareForm, actions.start_care, primary=True),
    CaseAction("revue", forms.ReviewForm, actions.complete_review, primary=True),
    CaseAction("poursuivre", forms.DeclineClosureForm, actions.decline_closure),
    CaseAction("mesure", forms.CareMeasureForm, actions.add_care_measure),
    CaseAction("fin-mesure", forms.EndCareMeasureForm, on_record(actions.end_care_measure), records.END_MEASURE,
               target_model=CareMeasure),
    CaseAction("refonder-mesure", forms.RebaseCareMeasureForm, on_record(actions.rebase_measure),
               consent.REBASE_MEASURE, target_model=CareMeasure),
    CaseAction("modifier-mesure", forms.CorrectCareMeasureForm, on_record(actions.edit_care_measure),
               records.CORRECT_MEASURE, target_model=CareMeasure, initial=lambda case, target: fields_of(target)),
    CaseAction("retirer-mesure", forms.RemoveCareMeasureForm,
               lambda actor, case, target, reason, confirm: actions.remove_care_measure(actor, target, reason=reason),
               records.REMOVE_MEASURE, target_model=CareMeasure),
    CaseAction("objectif", plan_forms.ObjectiveForm, plan.add_objective),
    CaseAction("modifier-objectif", plan_forms.ObjectiveForm, on_record(plan.edit_objective), plan.EDIT_OBJECTIVE,
               target_model=Objective, initial=lambda case, target: fields_of(target)),
    CaseAction("action-plan", plan_forms.PlanActionForm, plan.add_plan_action),
    CaseAction("modifier-action-plan", plan_forms.PlanActionForm, on_record(plan.edit_plan_action), plan.EDIT_ACTION,
               target_model=PlanAction, initial=lambda case, target: fields_of(target)),
    CaseAction("jeune", forms.PersonForm, actions.edit_person, initial=lambda case, target: fields_of(case.person)),
    CaseAction("proche", forms.RelativeForm, actions.save_relative),
    CaseAction("modifier-proche", forms.RelativeForm,
               lambda actor, case, target, **data: actions.save_relative(actor, case, target, **data),
               records.EDIT_RELATIVE, target_model=Relative, initial=lambda case, target: fields_of(target)),
    CaseAction("adhesion", forms.ConsentForm, actions.record_consent),
    CaseAction("information-procureur", prosecutor_forms.ProsecutorInformationForm, actions.inform_prosecutor),
    CaseAction("note", forms.NoteForm, actions.add_note, button=False),
    CaseAction("cloturer", plan_forms.CloseForm, actions.close),
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


# The case page's tabs, in order (cases/templates/cases/case_detail.html): (slug, title).
TABS = [("situation", "Situation"), ("accompagnement", "Accompagnement"), ("echanges", "Notes et échanges"),
        ("chronologie", "Chronologie")]


@dataclass(frozen=True)
class Panel:
    """A section another concern adds to the case page: its template, given ``panel`` = ``context(user, case)``,
    in the tab ``tab`` (one of ``TABS``)."""

    template: str
    context: Callable[[Actor, Case], dict[str, Any]]
    tab: str = "accompagnement"


PANELS: list[Panel] = []


def register_panel(template: str, context: Callable[[Actor, Case], dict[str, Any]], *, brief: bool = False,
                   tab: str = "accompagnement") -> None:
    """A section of the case page, in its tab ``tab``; ``brief``: a line of the task pages' « dossier en bref »
    (``views.brief``)."""
    if tab not in dict(TABS):
        raise ImproperlyConfigured(f"Onglet inconnu de la page d'un signalement : {tab}.")
    (BRIEF_LINES if brief else PANELS).append(Panel(template, context, tab))


BRIEF_LINES: list[Panel] = []


MOTIVES_KEY = "consultation_motives"


def remember_motive(request: HttpRequest, case: Case, reason: str, precision: str = "") -> None:
    """Keep for the session why the user consults this case (the first motive given stands): the
    details its reads record, the reason as chosen and its précision by reference, the text itself
    kept beside the trail and erased with the case (``cases.event_texts``)."""
    motives = request.session.get(MOTIVES_KEY, {})
    if str(case.pk) not in motives:  # the session is written only when it changes
        motive = {"motif": reason, **({"précision": keep(case, precision)} if precision.strip() else {})}
        request.session[MOTIVES_KEY] = {**motives, str(case.pk): motive}


def record_view(request: HttpRequest, case: Case, motive: dict[str, Any] | None = None, **details: object) -> None:
    """A page showing the case's personal data was read (``motive``: as ``remember_motive`` keeps it)."""
    details = {"signalement": case.reference, **(motive or {}), **details}
    audit.record("case.view", obj=case, departement=case.departement.code, details=details)


def available_actions(user: Actor, case: Case) -> list[CaseAction]:
    """The buttons of the case page: what the user may do on the case now (records-level actions
    excluded: they sit by their record, and so does the note form)."""
    return [a for a in ACTIONS if a.target_model is None and a.button and a.available(user, case)]


def _make_form(action: CaseAction, case: Case, actor: Actor, data: QueryDict | None = None,
               files: MultiValueDict[str, UploadedFile] | None = None,
               initial: dict[str, Any] | None = None) -> BaseForm:
    """The action's form; given the case (``needs_case``) or the person acting (``needs_actor``) if it asks."""
    kwargs: dict[str, Any] = {"case": case} if getattr(action.form, "needs_case", False) else {}  # the form's own
    if getattr(action.form, "needs_actor", False):
        kwargs["actor"] = actor
    return action.form(data, files, initial=initial, **kwargs)


def _targets(model: type[models.Model], case: Case) -> models.QuerySet:
    """The rows of the case an action may be done on: its measures and objectives, its young person's
    family's relatives, its plan's actions."""
    if model is Relative:
        return case.relatives
    return model._default_manager.filter(**{"objective__case" if model is PlanAction else "case": case})


def case_action(request: HttpRequest, pk: int, slug: str, target: int | None = None) -> HttpResponse:
    action = BY_SLUG.get(slug)
    if action is None or (action.target_model is None) != (target is None):
        raise Http404("Action inconnue.")
    case = policy.get_or_404(request.user, CaseRight.VIEW_CASE, Case.objects.select_related(
        "departement__cell", "person").annotate(**getattr(action.form, "case_facts", {})), pk=pk)  # what its form asks
    obj = get_object_or_404(_targets(action.target_model, case), pk=target) if action.target_model else None
    # The entry point's own check. The real cause first: an action the case's state does not allow
    # is not a missing right (whoever reaches here may read the case: its state tells them nothing new).
    refused = action.refusal(request.user, case)
    if isinstance(refused, ActionRefused):
        messages.error(request, refused.message)
        return redirect("cases:detail", pk=case.pk)
    if refused is not None:
        raise refused
    if action.page:
        return redirect(action.page, pk=case.pk)
    posted = request.method == "POST"
    form = _make_form(action, case, request.user, request.POST if posted else None, request.FILES if posted else None,
                      initial=action.initial(case, obj))
    about = (obj,) if action.target_model else ()
    if submit(request, form, action.title, lambda data: action.entry_point(request.user, case, *about, **data)):
        # Whoever just acted on the case (a member finishing their task) sees its result: the
        # action is the motive of that consultation. Those never asked for one (its coordinators,
        # its referent) are not given one: their session is not written for nothing.
        if needs_motive(request.user, case):
            remember_motive(request, case, f"Suite de l'action « {action.title} »")
        return redirect(after_task(case))
    record_view(request, case, page=action.slug)
    return render(request, "cases/case_action.html", {"case": case, "action": action, "form": form, "target": obj,
                                                      "brief": brief(case), "brief_lines": [
                                                          (line.template, line.context(request.user, case))
                                                          for line in BRIEF_LINES]},
                  status=400 if request.method == "POST" else 200)
