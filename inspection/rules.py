"""Rights of the inspection: the trail of the départements and period of an active mandate."""

import datetime
import enum

from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.models import Event
from cases.models import Case
from organisation.models import Departement, Role
from organisation.policy import Actor, Principal, rule, scope


class InspectionRight(enum.StrEnum):
    VIEW_AUDIT = "view_audit"  # on a département
    VIEW_INSPECTION_READS = "view_inspection_reads"  # what the inspection read in the départements one coordinates


@rule(InspectionRight.VIEW_AUDIT)
def _on_departement(user: Principal, right: str, departement: object) -> bool:
    return isinstance(departement, Departement) and departement.pk in scope(user).mandate_departement_ids


@rule(InspectionRight.VIEW_INSPECTION_READS)
def _coordinators(user: Principal, right: str, target: object) -> bool:
    return target is None and bool(scope(user).coordinated_departement_ids)


def within_days(first: datetime.date | None = None, last: datetime.date | None = None) -> Q:
    """Events of the days from ``first`` to ``last`` included (either may be open): a range of
    times from local midnight to local midnight, which an index on time serves (``time::date`` not)."""
    period = Q()
    if first is not None:
        period &= Q(time__gte=_midnight(first))
    if last is not None:
        period &= Q(time__lt=_midnight(last + datetime.timedelta(days=1)))
    return period


def about_case(reference: str) -> Q:
    """Events of a case: those that name it, and the accesses to it that were refused (recorded on the
    case itself, ``organisation.policy.get_or_404``, without its reference)."""
    ids = [str(pk) for pk in Case.objects.filter(reference=reference).values_list("pk", flat=True)]
    return Q(details__signalement=reference) | Q(action="access.denied", object_type=Case._meta.label_lower,
                                                 object_id__in=ids)


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def events_visible_to(user: Actor) -> QuerySet[Event]:
    """Audit events an inspector may review: the départements and the period reviewed of each mandate
    valid today."""
    mandates = scope(user).mandates
    if not mandates:
        return Event.objects.none()
    allowed = Q()
    for mandate in mandates:
        allowed |= Q(departement__in=[d.code for d in mandate.departements.all()]) & within_days(
            mandate.reviews_from, mandate.reviews_until)
    return Event.objects.filter(allowed)


def inspection_reads_visible_to(user: Actor) -> QuerySet[Event]:
    """What the inspection consulted in the départements the user coordinates."""
    return Event.objects.filter(actor_role=Role.INSPECTOR, departement__in=coordinated_codes(user))


def coordinated_codes(user: Actor) -> list[str]:
    """The codes of the départements whose cellule the user coordinates."""
    return sorted({m.cell.departement.code for m in scope(user).memberships
                   if m.cell is not None and m.cell_id in scope(user).coordinated_cell_ids})
