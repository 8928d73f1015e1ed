"""Rights of the inspection: the trail of the départements and period of an active mandate."""

import enum

from django.db.models import Q, QuerySet

from audit.models import Event
from organisation.models import Departement, Role
from organisation.policy import rule, scope


class InspectionRight(enum.StrEnum):
    VIEW_AUDIT = "view_audit"  # on a département


@rule(InspectionRight.VIEW_AUDIT)
def _on_departement(user, right: str, departement) -> bool:
    return isinstance(departement, Departement) and departement.pk in scope(user).mandate_departement_ids


def events_visible_to(user) -> QuerySet[Event]:
    """Audit events an inspector may review: the départements and period of each active mandate."""
    mandates = scope(user).mandates
    if not mandates:
        return Event.objects.none()
    allowed = Q()
    for mandate in mandates:
        allowed |= Q(departement__in=[d.code for d in mandate.departements.all()],
                     time__date__gte=mandate.starts_on, time__date__lte=mandate.ends_on)
    return Event.objects.filter(allowed)


def inspection_reads_visible_to(user) -> QuerySet[Event]:
    """What the inspection consulted in the départements the user coordinates."""
    codes = [m.cell.departement.code for m in scope(user).memberships if m.role == Role.COORDINATOR]
    return Event.objects.filter(actor_role=Role.INSPECTOR, departement__in=codes)
