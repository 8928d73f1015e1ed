"""The entry points of the FIPD's actions: a coordinator records an action of their cellule, then follows
it through the funding campaign (granted or refused, under way, done). Each checks the policy, validates,
writes and records its audit event in one transaction."""

from typing import Any

from django.db import transaction

import audit
from audit.changes import diff, snapshot
from funding.models import FundedAction
from funding.rules import FundingRight
from organisation import policy
from organisation.models import Cell
from organisation.policy import Actor

# What a coordinator enters and edits; the cellule is given by the page, never by the form.
FIELDS = ("title", "description", "institution", "operator_name", "year", "amount_requested", "amount_granted",
          "young_people", "families", "status")


def _fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    return fields


def create_funded_action(actor: Actor, cell: Cell, **fields: Any) -> FundedAction:
    policy.require(actor, FundingRight.MANAGE_FUNDING, cell)
    action = FundedAction(cell=cell, **_fields(fields))
    action.full_clean()
    with transaction.atomic():
        action.save()
        audit.record("funded_action.create", obj=action, actor=actor, departement=cell.departement.code,
                     details={"changements": diff({}, snapshot(action))})
    return action


def update_funded_action(actor: Actor, action: FundedAction, **fields: Any) -> FundedAction:
    """The action's fields changed (its status as the campaign goes, the amount granted once known)."""
    policy.require(actor, FundingRight.MANAGE_FUNDING, action)
    with transaction.atomic():
        action = FundedAction.objects.select_for_update().select_related("cell__departement").get(pk=action.pk)
        before = snapshot(action)
        for name, value in _fields(fields).items():
            setattr(action, name, value)
        action.full_clean()
        action.save()
        audit.record("funded_action.update", obj=action, actor=actor, departement=action.cell.departement.code,
                     details={"changements": diff(before, snapshot(action))})
    return action
