"""Two records of one young person made one, on a coordinator's decision; undone while no new case rests
on the merge; or two records kept apart (``cases.models.merges``). The duplicate detection only proposes
(``cases.matching.certain_duplicates``): nothing here is run without a coordinator asking for it.

What belongs to a record moves with it in one place, ``move_belongings`` and its reverse
``restore_belongings``: the cases (and all a case holds), and the relatives of a family that was the
merged record's alone."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

import audit
from cases.models import Case, DistinctPeople, Person, PersonMerge, Relative
from cases.rules import CaseRight
from organisation import policy
from organisation.errors import ActionRefused


def merge_people(actor: User, kept: Person, merged: Person) -> PersonMerge:
    """``merged``'s cases move to ``kept``; ``merged`` stays, marked as merged into ``kept``, so that the
    merge can be undone (``undo_merge``)."""
    with transaction.atomic():
        kept, merged = _checked_pair(actor, kept, merged)
        moved, relatives = move_belongings(merged, kept)
        merged.merged_into = kept
        merged.save(update_fields=["merged_into"])
        merge = PersonMerge.objects.create(kept=kept, merged=merged, cases=[case.pk for case in moved],
                                           relatives=relatives, merged_by=actor, merged_at=timezone.now())
        _record("person.merge", actor, kept, merged, moved)
    return merge


def undo_merge(actor: User, merge: PersonMerge) -> PersonMerge:
    """The merged record gets its cases back, while no case was opened on the kept one since the merge
    (a new signalement, a transfer received: it was opened on the two records as one)."""
    with transaction.atomic():
        merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
        kept, merged = _locked(merge.kept_id, merge.merged_id)
        policy.require(actor, CaseRight.MERGE_PEOPLE, kept)
        if merge.undone_at is not None:
            raise ActionRefused(f"Cette fusion a déjà été annulée le {timezone.localtime(merge.undone_at):%d/%m/%Y}.")
        newer = list(merge.newer_cases().values_list("reference", flat=True))
        if newer:
            raise ActionRefused(f"La fusion ne peut plus être annulée : un signalement a été ouvert depuis sur la "
                                f"fiche conservée ({', '.join(newer)}).")
        moved = restore_belongings(merge, kept, merged)
        merged.merged_into = None
        merged.save(update_fields=["merged_into"])
        merge.undone_by, merge.undone_at = actor, timezone.now()
        merge.save(update_fields=["undone_by", "undone_at"])
        _record("person.merge_undo", actor, kept, merged, moved)
    return merge


def dismiss_duplicate(actor: User, one: Person, other: Person) -> DistinctPeople:
    """Two records the detection took for one young person are two different people: not proposed again."""
    with transaction.atomic():
        first, second = sorted(_checked_pair(actor, one, other), key=lambda person: person.pk)
        if DistinctPeople.objects.filter(first=first, second=second).exists():
            raise ActionRefused("Ces deux fiches ont déjà été écartées : elles ne sont plus proposées à la fusion.")
        dismissal = DistinctPeople.objects.create(first=first, second=second, decided_by=actor,
                                                  decided_at=timezone.now())
        audit.record("person.duplicate_dismiss", obj=first, actor=actor, departement=first.departement.code,
                     details={"fiche": first.pk, "autre_fiche": second.pk})
    return dismissal


def move_belongings(merged: Person, kept: Person) -> tuple[list[Case], list[int]]:
    """What belongs to the young person of ``merged`` moves to ``kept``: their cases, each with all it holds
    (signalements, consents, measures, notes…), and, when their family was theirs alone, its relatives
    that ``kept``'s family does not hold already (``Relative.same_as``: those stay behind, erased with
    the kept record's last case). The cases moved, under their lock, and the relatives' ids."""
    cases = list(Case.objects.select_for_update().filter(person=merged).order_by("pk"))
    for case in cases:
        case.person = kept
        case.save(update_fields=["person"])  # its history says which record it was about
    if merged.family_id == kept.family_id or Person.objects.filter(family_id=merged.family_id).exclude(
            pk=merged.pk).exists():
        return cases, []
    known = list(Relative.objects.select_for_update().filter(family_id=kept.family_id))
    relatives = [relative for relative in Relative.objects.select_for_update().filter(family_id=merged.family_id)
                 if not any(relative.same_as(member) for member in known)]
    for relative in relatives:
        relative.family_id = kept.family_id
        relative.save(update_fields=["family"])
    return cases, [relative.pk for relative in relatives]


def restore_belongings(merge: PersonMerge, kept: Person, merged: Person) -> list[Case]:
    """``move_belongings`` undone: the cases the merge moved go back to the merged record, and the relatives
    to its family."""
    cases = list(Case.objects.select_for_update().filter(pk__in=merge.cases).order_by("pk"))
    if len(cases) != len(merge.cases) or any(case.person_id != kept.pk for case in cases):
        raise ActionRefused("La fusion ne peut plus être annulée : ses signalements ne sont plus tous sur la fiche "
                            "conservée (fusionnée depuis dans une autre ?). Annulez d'abord la fusion suivante.")
    for case in cases:
        case.person = merged
        case.save(update_fields=["person"])
    for relative in Relative.objects.select_for_update().filter(pk__in=merge.relatives, family_id=kept.family_id):
        relative.family_id = merged.family_id
        relative.save(update_fields=["family"])
    return cases


def _checked_pair(actor: User, one: Person, other: Person) -> tuple[Person, Person]:
    """The two records, locked, once the actor may merge them: two records of their département, each with
    a case the actor reads, neither merged already."""
    if one.pk == other.pk:
        raise ActionRefused("Une fiche ne peut être fusionnée avec elle-même.")
    one, other = _locked(one.pk, other.pk)
    for person in (one, other):
        policy.require(actor, CaseRight.MERGE_PEOPLE, person)
    if one.merged_into_id is not None or other.merged_into_id is not None:
        raise ActionRefused("L'une des deux fiches a déjà été fusionnée dans une autre.")
    if one.departement_id != other.departement_id:
        raise ActionRefused("Les deux fiches doivent être du même département.")
    for person in (one, other):
        policy.require(actor, CaseRight.VIEW_PERSON, person)
    return one, other


def _locked(*pks: int) -> tuple[Person, Person]:
    """The two records re-read under their row locks, taken in the order of their ids (two merges of
    the same records at once wait for each other, never deadlock)."""
    locked = {person.pk: person for person in Person.objects.select_for_update(of=("self",)).filter(pk__in=pks)
              .select_related("departement").order_by("pk")}
    return locked[pks[0]], locked[pks[1]]


def _record(action: str, actor: User, kept: Person, merged: Person, moved: list[Case]) -> None:
    audit.record(action, obj=kept, actor=actor, departement=kept.departement.code,
                 details={"fiche_conservée": kept.pk, "fiche_fusionnée": merged.pk,
                          "signalements": [case.reference for case in moved]})
