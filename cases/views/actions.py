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
from django_fsm import can_proceed

import audit
from cases import actions, forms
from cases.actions.referent import WITH_REFERENT
from cases.event_texts import keep
from cases.models import CareMeasure, Case, Relative, State
from cases.rules import CaseRight, needs_motive
from organisation import policy
from ui.forms import ConfirmForm, submit


@dataclass(frozen=True)
class CaseAction:
    slug: str
    title: str
    form: type
    entry_point: Callable
    permission: str  # a right of the access policy
    transition: str = ""  # the FSM transition whose source states the action needs
    applies: Callable[[Case], bool] = lambda case: case.state != State.CLOSED
    target_model: type | None = None  # the record an action on one record (a measure, a relative) is about
    initial: Callable[[Case, object], dict] = field(default=lambda case, target: {})
    primary: bool = False
    button: bool = True  # offered as a button on the case page; False: its form is on the page itself

    def state_allows(self, case: Case) -> bool:
        if self.transition and not can_proceed(getattr(case, self.transition)):
            return False
        return self.applies(case)

    def available(self, user, case: Case) -> bool:
        return self.state_allows(case) and policy.can(user, self.permission, case)


def fields_of(instance) -> dict:
    return {f.name: getattr(instance, f.name) for f in instance._meta.concrete_fields}


ACTIONS = [
    CaseAction("contact", "Enregistrer un contact avec la famille", forms.ContactForm, actions.record_family_contact,
               CaseRight.CONTACT_FAMILY, primary=True),
    CaseAction("attribuer", "Désigner le référent", forms.AssignForm, actions.assign, CaseRight.ASSIGN,
               transition="assign", primary=True),
    CaseAction("changer-referent", "Changer de référent", forms.ChangeReferentForm, actions.change_referent,
               CaseRight.CHANGE_REFERENT,
               applies=lambda case: case.state in WITH_REFERENT and case.referent_id is not None),
    CaseAction("prise-en-charge", "Démarrer la prise en charge", forms.StartCareForm, actions.start_care,
               CaseRight.START_CARE, transition="start_care", primary=True),
    CaseAction("revue", "Faire la revue de suivi", forms.ReviewForm, actions.complete_review, CaseRight.REVIEW,
               applies=lambda case: case.state in (State.IN_CARE, State.MOBILE_TEAM_REQUESTED), primary=True),
    CaseAction("poursuivre", "Poursuivre le suivi", forms.DeclineClosureForm, actions.decline_closure,
               CaseRight.DECIDE_CLOSURE, applies=lambda case: case.closure_proposed and case.state != State.CLOSED),
    CaseAction("mesure", "Orienter vers un partenaire (prise en charge)", forms.CareMeasureForm,
               actions.add_care_measure, CaseRight.MANAGE_CARE),
    CaseAction("fin-mesure", "Terminer une prise en charge", forms.EndCareMeasureForm,
               lambda actor, case, target, **data: actions.end_care_measure(actor, target, **data),
               CaseRight.MANAGE_CARE, target_model=CareMeasure),
    CaseAction("modifier-mesure", "Corriger une prise en charge", forms.CorrectCareMeasureForm,
               lambda actor, case, target, **data: actions.edit_care_measure(actor, target, **data),
               CaseRight.MANAGE_CARE, target_model=CareMeasure, initial=lambda case, target: fields_of(target)),
    CaseAction("retirer-mesure", "Retirer une prise en charge saisie par erreur", forms.RemoveCareMeasureForm,
               lambda actor, case, target, reason, confirm: actions.remove_care_measure(actor, target, reason=reason),
               CaseRight.MANAGE_CARE, target_model=CareMeasure),
    CaseAction("jeune", "Modifier la fiche du jeune", forms.PersonForm, actions.edit_person, CaseRight.EDIT_CASE,
               initial=lambda case, target: fields_of(case.person)),
    CaseAction("proche", "Ajouter un proche", forms.RelativeForm, actions.save_relative, CaseRight.EDIT_CASE),
    CaseAction("modifier-proche", "Modifier un proche", forms.RelativeForm,
               lambda actor, case, target, **data: actions.save_relative(actor, case, target, **data),
               CaseRight.EDIT_CASE, target_model=Relative, initial=lambda case, target: fields_of(target)),
    CaseAction("adhesion", "Enregistrer l'adhésion", forms.ConsentForm, actions.record_consent, CaseRight.EDIT_CASE),
    CaseAction("note", "Ajouter une note", forms.NoteForm, actions.add_note, CaseRight.EDIT_CASE,
               button=False),
    CaseAction("cloturer", "Clôturer", forms.CloseForm, actions.close, CaseRight.CLOSE, transition="close"),
    CaseAction("transferer", "Transférer à un autre département", forms.TransferForm, actions.transfer,
               CaseRight.TRANSFER, transition="transfer"),
    CaseAction("retirer-transfert", "Retirer la demande de transfert", ConfirmForm, actions.withdraw_transfer,
               CaseRight.TRANSFER, applies=lambda case: case.transfer_requests.pending().exists()),
    CaseAction("rouvrir", "Rouvrir", forms.ReopenForm, actions.reopen, CaseRight.REOPEN, transition="reopen",
               applies=lambda case: True),
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
    # The real cause first: an action the case's state does not allow is not a missing right
    # (whoever reaches here may read the case, so its state tells them nothing new).
    if not action.state_allows(case):
        messages.error(request, f"« {action.title} » n'est pas possible : le signalement est à l'état "
                                f"« {case.get_state_display()} ».")
        return redirect("cases:detail", pk=case.pk)
    if not policy.can(request.user, action.permission, case):
        raise policy.AccessDenied(request.user, action.permission, case)
    posted = request.method == "POST"
    form = _make_form(action, case, request.POST if posted else None, request.FILES if posted else None,
                      initial=action.initial(case, obj))
    records = (obj,) if action.target_model else ()
    if submit(request, form, action.title, lambda data: action.entry_point(request.user, case, *records, **data)):
        # Whoever just acted on the case (a member finishing their task) sees its result: the
        # action is the motive of that consultation. Those never asked for one (its coordinators,
        # its referent) are not given one: their session is not written for nothing.
        if needs_motive(request.user, case):
            remember_motive(request, case, f"Suite de l'action « {action.title} »")
        return redirect("cases:detail", pk=case.pk)
    record_view(request, case, page=action.slug)
    return render(request, "cases/case_action.html", {"case": case, "action": action, "form": form, "target": obj},
                  status=400 if request.method == "POST" else 200)
