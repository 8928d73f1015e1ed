"""Rights of the intake by machine: who manages the sources' service accounts, what an account may send.

The technical administrator manages accounts (``organisation.rules.GRANTED_BY``: accounts, never a
role that opens cases); a service account opens no case either, it only sends signalements to its
département's cellule and reads their state. The operator's command acts as ``policy.SYSTEM``.
"""

import enum

from intake.models import ServiceAccount
from organisation.models import Cell, Role
from organisation.policy import Principal, rule, scope


class IntakeRight(enum.StrEnum):
    MANAGE_ACCOUNTS = "manage_service_accounts"  # create or revoke a service account
    SUBMIT = "submit_signalement"  # a service account, on a cellule


@rule(IntakeRight.MANAGE_ACCOUNTS)
def _manages(user: Principal, right: str, target: object) -> bool:
    return Role.ADMIN in scope(user).roles


@rule(IntakeRight.SUBMIT)
def _submits(account: Principal, right: str, cell: object) -> bool:
    return (isinstance(account, ServiceAccount) and isinstance(cell, Cell) and account.usable
            and account.departement_id == cell.departement_id)
