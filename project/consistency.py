"""The invariants the entry points keep, checked on a whole database (``manage.py check_consistency``):
on the demo, on a generated national set (``demo.national``), on a restored backup.

Each check returns the cases (or rows) that break it; an empty result everywhere is the proof.
"""

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator

from django.db.models import CharField, Count, Exists, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Cast

from audit import sealer, verification
from audit.models import Event
from cases import attachments
from cases.actions.consent import ADHESION_PARTY
from cases.models import (
    CareMeasure,
    Case,
    CaseCounter,
    CaseTransfer,
    Consent,
    FamilyContact,
    NoteAttachment,
    Person,
    PersonMerge,
    Relative,
    SearchToken,
    State,
)
from cases.names import phonetic, search_tokens
from cases.task_kinds import ACCEPT_TRANSFER
from mobile_team.models import MessageAttachment
from organisation.models import Membership, Role
from workflows.kinds import expected
from workflows.models import CaseProcess, CaseTask

# The case's fields its history must end with: what the state machine and the entry points set.
TRACKED = ["state", "referent_id", "closure_reason", "closed_on", "closure_proposed", "departement_id"]
BATCH = 1000

CHECKS: list[tuple[str, Callable[[], Iterator[str]]]] = []


def check(label: str):
    def register(function):
        CHECKS.append((label, function))
        return function
    return register


@check("aucun compte n'a à la fois un rôle d'administration ou national et un rôle qui ouvre les signalements")
def _separation_of_duties() -> Iterator[str]:
    steering = Membership.objects.filter(role__in=Role.steering_roles()).values("user")
    crossed = Membership.objects.filter(role__in=Role.case_roles(), user__in=steering)
    yield from sorted(set(crossed.values_list("user__username", flat=True)))


@check("chaque signalement a son jeune, de son département, son processus, et une référence qui suit son numéro")
def _case_records() -> Iterator[str]:
    without = Case.objects.filter(Q(person__isnull=True) | Q(process__isnull=True)
                                  | ~Q(person__departement_id=F("departement_id")))
    yield from without.values_list("reference", flat=True)
    for case in Case.objects.select_related("departement").only("reference", "year", "number", "departement__code"):
        if case.reference != f"{case.departement.code}-{case.year}-{case.number:04d}":
            yield case.reference
    last = CaseCounter.objects.filter(departement_id=OuterRef("departement_id"), year=OuterRef("year")).values("last")
    numbered = Case.objects.values("departement_id", "year").annotate(top=Max("number"), counter=Subquery(last))
    yield from (f"compteur {row['departement_id']}/{row['year']}" for row in numbered
                if row["counter"] is None or row["counter"] < row["top"])


@check("chaque jeune est d'une famille de son département, dont aucun proche n'est saisi deux fois")
def _families() -> Iterator[str]:
    elsewhere = Person.objects.exclude(family__departement_id=F("departement_id"))
    yield from (f"jeune n° {pk}" for pk in elsewhere.values_list("pk", flat=True))
    family: list[Relative] = []  # the relatives of one family, read family by family
    for relative in (Relative.objects.only("family_id", "relation", "last_name", "first_name")
                     .order_by("family_id", "pk").iterator(chunk_size=BATCH)):
        family = [other for other in family if other.family_id == relative.family_id]
        if any(relative.same_as(other) for other in family):
            yield f"famille n° {relative.family_id} (proche n° {relative.pk})"
        family.append(relative)


@check("l'état d'un signalement va avec ses champs (référent, clôture) et son processus")
def _state_fields() -> Iterator[str]:
    closed = Q(state=State.CLOSED)
    wrong = Case.objects.filter(
        (closed & (Q(closed_on__isnull=True) | Q(closure_reason="")))
        | (~closed & (Q(closed_on__isnull=False) | ~Q(closure_reason="")))
        | (Q(state__in=[State.ASSIGNED, State.IN_CARE, State.MOBILE_TEAM_REQUESTED]) & Q(referent__isnull=True))
        | (closed & ~Q(process__status="DONE")) | (~closed & Q(process__status="DONE"))
    )
    yield from wrong.values_list("reference", flat=True)


@check("les tâches ouvertes d'un signalement sont celles que son état demande, une de chaque")
def _open_tasks() -> Iterator[str]:
    for first in range(0, (Case.objects.aggregate(top=Max("pk"))["top"] or 0) + 1, BATCH):
        cases = Case.objects.filter(pk__gte=first, pk__lt=first + BATCH).prefetch_related("mobile_team_requests")
        opened: dict[int, Counter] = {}
        for case_id, name in CaseTask.objects.open().filter(case__in=cases).values_list("case_id", "flow_task_name"):
            opened.setdefault(case_id, Counter())[name] += 1
        for case in cases:
            have = opened.get(case.pk, Counter())
            if max(have.values(), default=1) > 1 or set(have) != {str(t) for t in expected(case)}:
                yield case.reference


@check("un signalement clôturé n'a plus de prise en charge en cours, et chacune est d'une institution "
       "de son département ou nationale")
def _measures() -> Iterator[str]:
    open_on_closed = CareMeasure.objects.filter(case__state=State.CLOSED, ends_on__isnull=True)
    elsewhere = CareMeasure.objects.filter(institution__departement__isnull=False).exclude(
        institution__departement=F("case__departement"))
    for measures in (open_on_closed, elsewhere):
        yield from (f"prise en charge {pk}" for pk in measures.values_list("pk", flat=True))


@check("une prise en charge en cours perd son adhésion quand la partie sur laquelle elle repose la retire, "
       "et seulement alors (une adhésion « non requise » n'y change rien)")
def _consents() -> Iterator[str]:
    deciding = Consent.objects.exclude(status=Consent.Status.NOT_NEEDED)  # ``cases.actions.consent.deciding``
    latest = deciding.filter(case=OuterRef("case"), party=OuterRef("party")).order_by("-on", "-pk")
    current = {(case, party): status for case, party, status in deciding.annotate(
        top=Subquery(latest.values("pk")[:1])).filter(top=F("pk")).values_list("case", "party", "status")}
    for measure in CareMeasure.objects.filter(ends_on__isnull=True, adhesion__in=list(ADHESION_PARTY)).only(
            "case", "adhesion", "consent_lost_on"):
        given = current.get((measure.case_id, ADHESION_PARTY[measure.adhesion])) in (None, Consent.Status.GIVEN)
        if given == (measure.consent_lost_on is not None):
            yield f"prise en charge {measure.pk}"


@check("un jeune fusionné dans une autre fiche n'a plus de signalement, et sa fusion est enregistrée (ouverte)")
def _merged_people() -> Iterator[str]:
    yield from Case.objects.filter(person__merged_into__isnull=False).values_list("reference", flat=True)
    merge = PersonMerge.objects.filter(merged=OuterRef("pk"), kept=OuterRef("merged_into"), undone_at__isnull=True)
    unrecorded = Person.objects.filter(merged_into__isnull=False).exclude(Exists(merge))
    unmarked = PersonMerge.objects.filter(undone_at__isnull=True).exclude(merged__merged_into=F("kept"))
    yield from (f"jeune n° {pk}" for pk in unrecorded.values_list("pk", flat=True))
    yield from (f"fusion n° {pk}" for pk in unmarked.values_list("pk", flat=True))


@check("chaque processus a une tâche de départ terminée")
def _start_tasks() -> Iterator[str]:
    starts = Count("task", filter=Q(task__flow_task_type="START", task__status="DONE"))
    yield from (f"{reference}" for reference in CaseProcess.objects.annotate(starts=starts).exclude(starts=1)
                .values_list("case__reference", flat=True))


@check("les copies de la ligne de tâche (département, état, détenteur) sont celles de viewflow et du signalement")
def _task_copies() -> Iterator[str]:
    one_null = Q(listed_owner__isnull=True, owner__isnull=False) | Q(listed_owner__isnull=False, owner__isnull=True)
    owner_differs = one_null | (Q(listed_owner__isnull=False, owner__isnull=False) & ~Q(listed_owner_id=F("owner_id")))
    # A transfer to accept is in the receiving département's queue.
    received = Q(flow_task_name=ACCEPT_TRANSFER) & Exists(CaseTransfer.objects.filter(
        case_id=OuterRef("case_id"), destination_id=OuterRef("departement_id")))
    elsewhere = ~Q(departement_id=F("case__departement_id")) & ~received
    wrong = CaseTask.objects.filter(~Q(listed_status=F("status")) | elsewhere | owner_differs)
    yield from (f"tâche {pk}" for pk in wrong.values_list("pk", flat=True))


@check("l'historique d'un signalement finit par son état présent")
def _case_history() -> Iterator[str]:
    history = Case.history.model.objects
    latest = history.filter(id=OuterRef("pk")).order_by("-history_date", "-history_id")
    annotated = Case.objects.annotate(**{f"h_{name}": Subquery(latest.values(name)[:1]) for name in TRACKED})
    for row in annotated.values("reference", *TRACKED, *(f"h_{name}" for name in TRACKED)).iterator():
        if any(row[name] != row[f"h_{name}"] for name in TRACKED):
            yield row["reference"]


@check("chaque jeune, proche, contact et prise en charge a son historique")
def _record_history() -> Iterator[str]:
    for model in (Person, Relative, FamilyContact, CareMeasure):
        has_history = model.history.model.objects.filter(id=OuterRef("pk"))
        missing = model.objects.exclude(pk__in=has_history.values("id"))
        yield from (f"{model._meta.verbose_name} {pk}" for pk in missing.values_list("pk", flat=True))


@check("chaque signalement a son événement de réception au journal")
def _intake_events() -> Iterator[str]:
    received = Event.objects.filter(action="case.intake", object_type="cases.case",
                                    object_id=Cast(OuterRef("pk"), CharField()))
    yield from Case.objects.exclude(Exists(received)).values_list("reference", flat=True)


@check("le journal d'audit est intègre")
def _audit_chain() -> Iterator[str]:
    sealer.seal()  # the events of the last transactions, before the head is read
    result = verification.verify()
    if not result.ok:
        yield str(result.broken)


@check("les clés de rapprochement et de recherche du jeune suivent ses nom, prénom, commune et département")
def _person_keys() -> Iterator[str]:
    for first in range(0, (Person.objects.aggregate(top=Max("pk"))["top"] or 0) + 1, BATCH):
        tokens = defaultdict(set)
        batch = SearchToken.objects.filter(person_id__gte=first, person_id__lt=first + BATCH)
        for person_id, token, departement_id in batch.values_list("person_id", "token", "departement_id"):
            tokens[person_id].add((token, departement_id))
        people = Person.objects.filter(pk__gte=first, pk__lt=first + BATCH).only(
            "last_name", "first_name", "commune", "departement", "phonetic_last", "phonetic_first")
        for person in people:
            keys = (person.phonetic_last, person.phonetic_first, tokens[person.pk])
            words = search_tokens(person.last_name, person.first_name, person.commune)
            if keys != (phonetic(person.last_name), phonetic(person.first_name),
                        {(word, person.departement_id) for word in words}):
                yield f"jeune n° {person.pk}"


@check("chaque pièce jointe a son fichier, d'empreinte inchangée (après une restauration aussi)")
def _attachment_files() -> Iterator[str]:
    for model, label in ((NoteAttachment, "pièce jointe de note"), (MessageAttachment, "pièce jointe de message")):
        for pk, stored_name, sha256 in model.objects.values_list("pk", "stored_name", "sha256").iterator():
            content = attachments.read(stored_name)
            if content is None or hashlib.sha256(content).hexdigest() != sha256:
                yield f"{label} {pk}"


@check("chaque fichier du stockage des pièces jointes est celui d'une pièce jointe (aucun orphelin, aucun "
       "fichier temporaire laissé par une écriture interrompue)")
def _stored_files() -> Iterator[str]:
    """By name, in the directory or the bucket. On a live server a file being written shows for an
    instant (temporary, or not yet committed): a second run tells."""
    named = set(NoteAttachment.objects.values_list("stored_name", flat=True))
    named |= set(MessageAttachment.objects.values_list("stored_name", flat=True))
    for key in attachments.stored_keys():
        name = key.rsplit("/", 1)[-1]
        if name.endswith(attachments.PARTIAL):
            yield f"fichier temporaire {key}"
        elif name not in named or key != f"{name[:2]}/{name}":
            yield f"fichier orphelin {key}"


def run(limit: int = 10) -> list[tuple[str, int, list[str]]]:
    """Each check: its label, how many break it, the first ``limit`` of them."""
    results = []
    for label, function in CHECKS:
        found = list(function())
        results.append((label, len(found), found[:limit]))
    return results
