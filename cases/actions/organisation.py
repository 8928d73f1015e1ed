"""Entry points that change the organisation: memberships and reference data.

Each one checks the access policy, validates, writes and records its audit event in one
transaction. The admin, the views and the commands call these, never ``save()`` directly.
"""

from django.db import models

import audit
from audit.changes import diff, snapshot
from cases import policy
from cases.models import Membership, Role


def _departement_of(instance) -> str:
    cell = getattr(instance, "cell", None)
    return cell.departement.code if cell is not None else ""


def save_membership(actor, membership: Membership) -> Membership:
    """Create or change a membership: a coordinator in their cellule, an admin anywhere."""
    if membership.role in Role.cell_roles() and membership.cell_id:
        policy.require(actor, policy.Action.MANAGE_MEMBERSHIPS, membership.cell)
    else:
        policy.require(actor, policy.Action.MANAGE_REFERENCE_DATA)
    membership.full_clean()
    creating = membership._state.adding
    before = {} if creating else snapshot(Membership.objects.get(pk=membership.pk))
    with audit.atomic():
        membership.save()
        audit.record(
            "membership.create" if creating else "membership.update",
            obj=membership,
            actor=actor,
            departement=_departement_of(membership),
            details={"changements": diff(before, snapshot(membership))},
        )
    policy.forget(membership.user)
    return membership


def save_reference(actor, instance: models.Model, before: dict | None = None) -> models.Model:
    """Create or change reference data (accounts, cellules, institutions, mandates): admin only.

    ``before`` is the snapshot taken before a form changed the instance in place.
    """
    policy.require(actor, policy.Action.MANAGE_REFERENCE_DATA)
    creating = instance._state.adding
    with audit.atomic():
        instance.save()
        audit.record(
            f"{instance._meta.model_name}.{'create' if creating else 'update'}",
            obj=instance,
            actor=actor,
            departement=_departement_of(instance) or getattr(getattr(instance, "departement", None), "code", ""),
            details={"changements": diff(before or {}, snapshot(instance))},
        )
    return instance


def set_mandate_departements(actor, mandate, departements) -> None:
    """Name the départements an inspection mandate covers: admin only."""
    policy.require(actor, policy.Action.MANAGE_REFERENCE_DATA)
    with audit.atomic():
        mandate.departements.set(departements)
        audit.record(
            "mandate.departements", obj=mandate, actor=actor,
            details={"départements": sorted(d.code for d in mandate.departements.all())},
        )
