"""The accompaniment plan's entry points (objectives and their actions, the partner's update of an action
their measure carries) and the end-of-support bilan that ``cases.actions.lifecycle.close`` writes.

What a writer typed (an objective, an action, a partner's note, the situation at exit) goes to the
trail by reference (``cases.event_texts``): the timeline shows it, the purge erases it with the case.
"""

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.changes import diff, masked, snapshot
from cases.actions.base import Check, changing, lock, record, runs, validate
from cases.actions.care import care_set_up
from cases.event_texts import keep
from cases.models import Bilan, Case, Objective, ObjectiveResult, PlanAction
from cases.rules import CaseRight, partner_measures
from organisation.models import Role
from organisation.policy import AccessDenied, Actor

ADD_OBJECTIVE = Check("Ajouter un objectif au plan", CaseRight.MANAGE_CARE)
EDIT_OBJECTIVE = Check("Modifier un objectif du plan", CaseRight.MANAGE_CARE)
ADD_ACTION = Check("Ajouter une action au plan", CaseRight.MANAGE_CARE, when=lambda case: (
    "" if case.objectives.exists() else "ajoutez d'abord un objectif au plan"))
EDIT_ACTION = Check("Modifier une action du plan", CaseRight.MANAGE_CARE)
UPDATE_ACTION = Check("Mettre à jour une action du plan", CaseRight.PARTNER_PLAN)
TYPED = {"text", "what", "note"}  # the trail says they changed; the timeline shows the new text by reference
ACTION_FIELDS = {"objective", "what", "owner", "institution", "measure", "due_on", "status", "note"}


@runs(ADD_OBJECTIVE)
def add_objective(actor: Actor, case: Case, *, domain: str, text: str) -> Objective:
    with changing():
        case = lock(case)
        ADD_OBJECTIVE.require(actor, case)
        objective = create_objective(actor, case, domain=domain, text=text)
        care_set_up(actor, case)  # with a measure under way, an assigned case is in care
    return objective


def create_objective(actor: Actor, case: Case, *, domain: str, text: str) -> Objective:
    """Validate, write and record an objective of the locked case's plan (the caller checked the right)."""
    objective = Objective(case=case, domain=domain, text=(text or "").strip())
    validate(objective)
    objective.save()
    record("case.objective_add", actor, case, objectif=objective.pk, domaine=domain,
           texte_objectif=keep(case, objective.text))
    return objective


@runs(EDIT_OBJECTIVE)
def edit_objective(actor: Actor, objective: Objective, *, domain: str, text: str) -> Objective:
    with transaction.atomic():
        case = lock(objective.case)
        EDIT_OBJECTIVE.require(actor, case)
        objective = Objective.objects.select_for_update().get(pk=objective.pk, case=case)
        before = snapshot(objective)
        objective.domain, objective.text = domain, (text or "").strip()
        validate(objective)
        changes = diff(before, snapshot(objective))
        if changes:
            objective.save()
            record("case.objective_edit", actor, case, objectif=objective.pk, changements=masked(changes, TYPED),
                   texte_objectif=keep(case, objective.text) if "text" in changes else "")
    return objective


def _check_action(case: Case, action: PlanAction) -> None:
    """Who leads the action belongs to the case's cellule, or serves its département."""
    if action.objective_id is None or action.objective.case_id != case.pk:
        raise ValidationError({"objective": "Cet objectif n'est pas celui de ce signalement."})
    if action.owner is not None and not case.departement.cell.memberships.active().filter(
            user=action.owner, role__in=Role.cell_roles()).exists():
        raise ValidationError({"owner": "La personne qui mène l'action doit être membre de la cellule."})
    if action.institution is not None and (why := action.institution.not_partner_in(case.departement_id)):
        raise ValidationError({"institution": why})
    if action.measure is not None and action.institution is None and action.owner is None:
        action.institution = action.measure.institution  # carried by a measure: led by its partner


def _action_details(action: PlanAction) -> dict[str, object]:
    return {"objectif": action.objective_id, "par": action.by, "échéance": f"{action.due_on:%d/%m/%Y}",
            "état": action.status, "prise_en_charge": action.measure_id}


@runs(ADD_ACTION)
def add_plan_action(actor: Actor, case: Case, **fields: Any) -> PlanAction:
    """An action towards an objective of the case's plan, led by a member of the cellule or a partner
    institution (the measure's that carries it, by default)."""
    unknown = set(fields) - ACTION_FIELDS
    if unknown:
        raise ValidationError(f"Champs inconnus : {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        case = lock(case)
        ADD_ACTION.require(actor, case)
        action = PlanAction(**fields)
        _check_action(case, action)
        validate(action)
        action.save()
        record("case.plan_action_add", actor, case, action_du_plan=action.pk, **_action_details(action),
               texte_action=keep(case, action.what))
    return action


@runs(EDIT_ACTION)
def edit_plan_action(actor: Actor, action: PlanAction, **fields: Any) -> PlanAction:
    unknown = set(fields) - ACTION_FIELDS
    if unknown:
        raise ValidationError(f"Champs inconnus : {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        case = lock(action.objective.case)
        EDIT_ACTION.require(actor, case)
        action = PlanAction.objects.select_for_update().get(pk=action.pk, objective__case=case)
        before = snapshot(action)
        for name, value in fields.items():
            setattr(action, name, value)
        _check_action(case, action)
        validate(action)
        changes = diff(before, snapshot(action))
        if changes:
            action.save()
            record("case.plan_action_edit", actor, case, action_du_plan=action.pk, changements=masked(changes, TYPED),
                   texte_action=keep(case, action.what) if "what" in changes else "",
                   point=keep(case, action.note) if "note" in changes else "")
    return action


def partner_actions(user: Actor, case: Case) -> list[PlanAction]:
    """The plan's actions the partner sees and updates: those the measures that make them a partner carry."""
    return list(PlanAction.objects.filter(measure__in=partner_measures(user, case))
                .select_related("objective", "institution", "owner", "measure"))


@runs(UPDATE_ACTION)
def update_plan_action(actor: Actor, action: PlanAction, *, status: str, note: str = "") -> PlanAction:
    """The partner says where an action their measure carries stands (its state, a short note)."""
    with transaction.atomic():
        case = lock(action.objective.case)
        UPDATE_ACTION.require(actor, case)
        action = PlanAction.objects.select_for_update().get(pk=action.pk, objective__case=case)
        if action.measure_id is None or not partner_measures(actor, case).filter(pk=action.measure_id).exists():
            raise AccessDenied(actor, CaseRight.PARTNER_PLAN, case)
        before = snapshot(action)
        action.status, action.note = status, (note or "").strip()
        validate(action)
        changes = diff(before, snapshot(action))
        if changes:
            action.save()
            record("case.plan_action_update", actor, case, action_du_plan=action.pk, état=action.status,
                   point=keep(case, action.note) if "note" in changes else "")
    return action


def write_bilan(actor: User, case: Case, bilan: dict[str, Any] | None, on: datetime.date) -> Bilan:
    """The end-of-support bilan of the locked case, closed ``on`` (checked by the caller): a result for
    each objective of its plan (``results``: {objective id: result}), the situation at exit, whether a
    follow-up contact is planned and when."""
    if not bilan:
        raise ValidationError({"exit_situation": "La prise en charge se termine : remplissez le bilan de fin "
                                                 "d'accompagnement."})
    given = dict(bilan)
    results = {int(pk): value for pk, value in (given.pop("results", None) or {}).items()}
    written = Bilan(case=case, closed_on=on, written_by=actor, **given)
    written.situation_note = (written.situation_note or "").strip()
    validate(written)
    objectives = list(case.objectives.all())
    missing = [o for o in objectives if results.get(o.pk) not in ObjectiveResult.Result.values]
    if missing:
        raise ValidationError({"results": f"Indiquez si l'objectif « {missing[0].text} » est atteint, "
                                          f"partiellement atteint ou non atteint."})
    if set(results) - {o.pk for o in objectives}:
        raise ValidationError({"results": "Un résultat porte sur un objectif qui n'est pas de ce signalement."})
    written.save()
    ObjectiveResult.objects.bulk_create(ObjectiveResult(bilan=written, objective=o, result=results[o.pk])
                                        for o in objectives)
    record("case.bilan", actor, case, bilan=written.pk, situation=written.exit_situation,
           résultats=[results[o.pk] for o in objectives], suivi_prévu=written.follow_up_planned,
           précisions=keep(case, written.situation_note))
    return written

