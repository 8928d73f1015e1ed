"""The cellule's exchanges with the local prevention bodies of its département (coordinators)."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cellule.actions.base import record
from cellule.models import Exchange
from cellule.rules import CelluleRight
from organisation import policy
from organisation.models import Cell, Institution


def record_exchange(actor: User, cell: Cell, institution: Institution, *, on: datetime.date, subject: str,
                    summary: str) -> Exchange:
    """An exchange with a CLSPD, a CISPD or a programme de réussite éducative of the département: a meeting,
    a call, a letter, dated, with its subject and what was said."""
    policy.require(actor, CelluleRight.LIAISE, cell)
    if not institution.is_local_prevention or institution.departement_id != cell.departement_id:
        raise ValidationError({"institution": f"{institution} n'est pas un dispositif local de prévention du "
                                              "département."})
    if on and on > timezone.localdate():
        raise ValidationError({"on": "La date de l'échange ne peut pas être dans le futur."})
    exchange = Exchange(cell=cell, institution=institution, on=on, subject=subject, summary=summary,
                        recorded_by=actor)
    exchange.full_clean()
    with transaction.atomic():
        exchange.save()
        record("exchange.create", actor, exchange, cell, dispositif=institution.name, date=f"{on:%d/%m/%Y}",
               objet=subject)
    return exchange
