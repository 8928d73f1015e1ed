"""Free consent (libre adhésion) as a state that acts: each party's current consent is their latest
recorded one (``current``). A care measure's orientation to a partner rests on one party's consent
(``CareMeasure.adhesion``), or on why none is needed. When that consent is withdrawn or refused, in the
same transaction: the measure is marked (``consent_lost_on``), so that the partner no longer sees the
case (``cases.rules.is_partner``), and the référent gets a task to end it or re-base it
(``cases.task_kinds.REBASE_MEASURE``). A consent withdrawn or refused is no basis for a new orientation
(``require_basis``) nor for the mobile team's contact with the family.

A consent "not needed" (with its reason: a measure ordered by a judge…) is no withdrawal: the measures
resting on the party keep what their consent before it decided (``deciding``), so no partner loses the
case by it. It is no basis for an orientation on that party's adhesion either: such an orientation rests
on "adhésion non requise" and its reason."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from audit.changes import diff, masked, snapshot
from cases.actions.base import Check, lock, record, runs, validate
from cases.event_texts import keep
from cases.models import CareMeasure, Case, Consent
from cases.rules import CaseRight
from organisation.errors import ActionRefused
from workflows import tasks

CONSENT = Check("Enregistrer l'adhésion", CaseRight.EDIT_CASE)
REBASE_MEASURE = Check("Refonder une prise en charge", CaseRight.MANAGE_CARE)
# The party whose adhesion an orientation rests on, as ``Consent`` records it.
ADHESION_PARTY: dict[str, str] = {CareMeasure.Adhesion.FAMILY: Consent.Party.FAMILY,
                                   CareMeasure.Adhesion.YOUNG_PERSON: Consent.Party.YOUNG_PERSON}


def current(case: Case, party: str) -> Consent | None:
    """The party's current consent on the case (``Consent.current``)."""
    return Consent.current(case.consents.filter(party=party)).get((case.pk, party))


def deciding(case: Case, party: str) -> Consent | None:
    """The party's latest consent that decides on the measures resting on their adhesion: given, refused
    or withdrawn, a consent "not needed" since changing nothing of them."""
    return Consent.current(case.consents.filter(party=party).exclude(status=Consent.Status.NOT_NEEDED)).get(
        (case.pk, party))


def basis() -> dict[str, Subquery]:
    """Each party's current consent (its status), to read with the case under its lock (``lock(case,
    **basis())``) by the entry points that orient it: ``require_basis`` then asks nothing more."""
    return {_basis_name(party): Subquery(Consent.objects.filter(case=OuterRef("pk"), party=party)
                                         .order_by("-on", "-pk").values("status")[:1])
            for party in Consent.Party.values}


def _basis_name(party: str) -> str:
    return f"consent_{party}"


UNREAD = object()  # a party's consent not read with the case


def require_basis(actor: User, case: Case, adhesion: str, field: str) -> None:
    """An orientation resting on ``adhesion`` may start: the party's consent is given, or, none recorded
    yet, it is recorded as given today (the orientation says it was collected). Refused while the
    party's current consent is withdrawn, refused or not needed. The case is locked by the caller."""
    party = ADHESION_PARTY.get(adhesion)
    if not party:
        return
    status = getattr(case, _basis_name(party), UNREAD)
    last = None
    if status is not None and status != Consent.Status.GIVEN:
        last = current(case, party)  # not read with the case, or what its refusal says of it
        status = last.status if last is not None else None
    if last is not None and last.status == Consent.Status.NOT_NEEDED:
        raise ValidationError({field: f"L'adhésion ({last.get_party_display().lower()}) est enregistrée « non "
                                      f"requise » le {last.on:%d/%m/%Y} : l'orientation repose alors sur "
                                      "« Adhésion non requise » et son motif."})
    if last is not None and last.status != Consent.Status.GIVEN:
        raise ValidationError({field: f"L'adhésion ({last.get_party_display().lower()}) est enregistrée "
                                      f"« {last.get_status_display().lower()} » le {last.on:%d/%m/%Y} : "
                                      "enregistrez d'abord l'adhésion recueillie depuis."})
    if status is None:
        Consent.objects.create(case=case, party=party, status=Consent.Status.GIVEN, on=timezone.localdate(),
                               recorded_by=actor)
        setattr(case, _basis_name(party), Consent.Status.GIVEN)


@runs(CONSENT)
def record_consent(actor: User, case: Case, *, party: str, status: str, on: datetime.date,
                   reason: str = "") -> Consent:
    """The young person's or the family's free consent, as of a date. Withdrawn or refused, the
    measures that rested on it lose it at once (their partner's access with it) and the référent is
    given a task; given again, the measures it had left are based on it again. Not needed (and
    ``reason`` why), it changes none of them."""
    with transaction.atomic():
        case = lock(case)
        CONSENT.require(actor, case)
        if on and on > timezone.localdate():
            raise ValidationError({"on": "La date ne peut pas être dans le futur."})
        consent = Consent(case=case, party=party, status=status, on=on, reason=reason or "", recorded_by=actor)
        validate(consent)
        consent.save()
        resting = case.care_measures.filter(ends_on__isnull=True, adhesion__in=[
            adhesion for adhesion, whose in ADHESION_PARTY.items() if whose == party])
        if deciding(case, party) != consent:
            affected: list[int] = []  # not needed, or an older consent entered late: the one after still holds
        elif status == Consent.Status.GIVEN:
            affected = list(resting.filter(consent_lost_on__isnull=False).values_list("pk", flat=True))
            resting.filter(pk__in=affected).update(consent_lost_on=None)
        else:
            affected = list(resting.filter(consent_lost_on__isnull=True).values_list("pk", flat=True))
            resting.filter(pk__in=affected).update(consent_lost_on=on)
        record("case.consent", actor, case, de=party, adhésion=status, date=on,
               **({"motif": keep(case, consent.reason)} if consent.reason else {}),
               **({"mesures": affected} if affected else {}))
        tasks.sync(case, actor)
    return consent


@runs(REBASE_MEASURE)
def rebase_measure(actor: User, measure: CareMeasure, *, adhesion: str, adhesion_note: str = "") -> CareMeasure:
    """A measure whose adhesion was withdrawn goes on, on another basis: the other party's consent, or
    why none is needed (a measure ordered by a judge); the partner sees the case again."""
    with transaction.atomic():
        case = lock(measure.case)
        REBASE_MEASURE.require(actor, case)
        measure = CareMeasure.objects.select_for_update().get(pk=measure.pk, case=case)
        if measure.ends_on is not None or measure.consent_lost_on is None:
            raise ActionRefused("Cette prise en charge n'a pas perdu l'adhésion sur laquelle elle reposait.")
        if not adhesion:
            raise ValidationError({"adhesion": "Indiquez sur quoi repose désormais la prise en charge."})
        before = snapshot(measure)
        measure.adhesion, measure.adhesion_note, measure.consent_lost_on = adhesion, adhesion_note.strip(), None
        validate(measure)
        require_basis(actor, case, adhesion, "adhesion")
        measure.save()
        record("case.care_measure_rebase", actor, case, mesure=measure.pk,
               changements=masked(diff(before, snapshot(measure)), {"adhesion_note"}))  # typed: said, not kept
        tasks.sync(case, actor)
    return measure
