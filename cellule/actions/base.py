"""What the cellule's entry points share."""

from django.db import models

import audit
from organisation.models import Cell
from organisation.policy import Actor


def record(action: str, actor: Actor, obj: models.Model, cell: Cell, **details: object) -> None:
    audit.record(action, obj=obj, actor=actor, departement=cell.departement.code, details=details)
