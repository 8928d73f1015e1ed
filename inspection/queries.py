"""The trail's queries behind the inspection's pages, shaped for the trail's indexes.

Each page asks for its events through one function here, so that ``bench/audit_pages.py`` explains
the very queries the pages run (docs/performance.md gives the plans at national size). Periods are
ranges of ``time`` (``inspection.rules.within_days``), which an index on time can serve, and lists
are in reverse time order, as the indexes hold them.
"""

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from audit import attestation
from audit.models import Event
from audit.tallies import ACCOUNT_FAILURES
from inspection.forms import EventSearchForm
from inspection.rules import about_case, events_visible_to, inspection_reads_visible_to
from organisation.policy import Actor

NEWEST_FIRST = ("-time", "-id")


def search(user: Actor, form: EventSearchForm) -> QuerySet[Event]:
    """The search page and its exports: the mandate's events matching the form (valid, or not filled
    in), newest first."""
    events = events_visible_to(user)
    if form.is_bound:
        events = form.filter(events)
    return events.select_related("seal").order_by(*NEWEST_FIRST)


def case_timeline(user: Actor, reference: str) -> QuerySet[Event]:
    """Every event that names the case, and the accesses to it that were refused, in the order they happened."""
    return events_visible_to(user).filter(about_case(reference)).select_related("seal").order_by("time", "id")


def user_activity(user: Actor, person: User) -> QuerySet[Event]:
    """What the person did, and the failed logins aimed at their account (``audit.tallies``: counted per
    minute and address, recorded with no actor, the account as their object)."""
    aimed_at = Q(object_type=person._meta.label_lower, object_id=str(person.pk), action__in=ACCOUNT_FAILURES)
    return events_visible_to(user).filter(Q(actor=person) | aimed_at).select_related("seal").order_by(*NEWEST_FIRST)


def integrity_checks() -> list[attestation.Check]:
    """The last checks of the trail (``verify_audit``, an inspector's), events of the trail itself, newest
    first, each with whether the application's proof of it holds (``audit.attestation``)."""
    return attestation.recent("audit.verify")


def witnessed_checkpoints() -> list[attestation.Check]:
    """The last signed checkpoints (``audit_checkpoint``), newest first, each with the witnesses that
    cosigned it and whether its proof holds."""
    return attestation.recent("audit.checkpoint")


def inspection_reads(user: Actor) -> QuerySet[Event]:
    """For coordinators: what the inspection consulted in the départements they coordinate."""
    return inspection_reads_visible_to(user).select_related("seal").order_by(*NEWEST_FIRST)
