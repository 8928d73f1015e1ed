"""The entry point that records the procureur de la République informed of a case: the cellule works "en lien
avec le Procureur" (note of 19 February 2015). The coordinators of the case's cellule speak to the parquet for
it; what they shared stays with the case (the trail refers to it: ``cases.event_texts``)."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import Event
from cases.actions.base import Check, lock, record, require_text, runs, validate
from cases.event_texts import keep
from cases.models import Case, ProsecutorInformation
from cases.rules import CaseRight, transferred


def _not_transferred(case: Case) -> str:
    return f"le signalement {case.reference} a été transféré avec son dossier" if transferred(case) else ""


# Any state, a closed case too: the cellule may tell the parquet of a case it closed (taken over by justice).
INFORM = Check("Informer le procureur", CaseRight.INFORM_PROSECUTOR, closed=True, when=_not_transferred)


def pdf_exports(case: Case) -> list[Event]:
    """The case's file as exported in PDF (``cases.views.export``), the latest first: one of them may go with
    an information of the procureur."""
    return list(Event.objects.filter(object_type="cases.case", object_id=str(case.pk), action="case.export_pdf")
                .order_by("-time", "-id"))


@runs(INFORM)
def inform_prosecutor(actor: User, case: Case, *, on: datetime.date, means: str, shared: str,
                      export_sha256: str = "") -> ProsecutorInformation:
    """Record that the procureur was informed of the case on ``on``, by ``means``, of ``shared``, with the
    case's PDF export whose fingerprint is ``export_sha256`` if one was sent."""
    shared = require_text(shared, "shared", "Indiquez ce qui a été transmis au procureur.")
    with transaction.atomic():
        case = lock(case)
        INFORM.require(actor, case)
        if export_sha256 and export_sha256 not in {event.details.get("sha256") for event in pdf_exports(case)}:
            raise ValidationError({"export_sha256": "Choisissez un export PDF de ce signalement."})
        information = ProsecutorInformation(case=case, by=actor, on=on, means=means, shared=shared,
                                            export_sha256=export_sha256)
        validate(information)
        information.save()
        record("case.prosecutor_inform", actor, case, date=f"{on:%d/%m/%Y}", moyen=means, transmis=keep(case, shared),
               **({"export": export_sha256} if export_sha256 else {}))
    return information
