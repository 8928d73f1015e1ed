"""Everything the cellule holds about one person (the young person or a relative), as a ZIP of CSV
files with the notes' attachments: the coordinators' answer to a request of access.

A young person's file covers every case about them in the département (``Case.person``) and the cases
those continue after transfers (``Case.origins``); a relative's, every case about the young people of
their family (``Relative.family``) and their origins. For those cases: their signalements, facts,
consents, contacts, measures, reviews, plan, bilans, notes and attachments, the mobile team's requests, reports and
messages, the interview requests, the meetings' decisions and the support-group sessions the family
attended, and from the trail who read or changed them (and the young person's page) and when, each
of those events with its receipt (``audit.receipts``): the proof that the trail holds it, which anyone
checks offline. The person asked about comes first; a relative's file holds only their own entry
among the relatives.
"""

import io
import json
import zipfile

from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q
from django.utils import timezone

from audit import events, receipts
from audit.models import Event
from cases import attachments
from cases.models import Bilan, Case, CaseSignalement, Objective, ObjectiveResult, Person, PlanAction, Relative
from cellule.models import InterviewRequest, MeetingItem, SupportGroupSession
from mobile_team.models import InterventionReport, MobileTeamRequest, RequestMessage
from organisation.models import Role
from organisation.spreadsheets import to_csv

ROLES = dict(Role.choices)
RECEIPTS_README = """Reçus de consultation du journal d'audit

Chaque consultation ou action de consultations_et_actions.csv figure dans recus_de_consultation.json
avec la preuve qu'elle est inscrite dans le journal d'audit de la cellule, tel que l'atteste son
dernier point de contrôle signé (inclus dans le fichier, avec les cosignatures de témoins qu'il porte).
La vérification se fait hors ligne, sans accès au produit, et n'apprend rien des autres événements :

    python proofs.py recus recus_de_consultation.json --cle CLÉ_DE_VÉRIFICATION

proofs.py est le vérificateur publié avec le produit ; CLÉ_DE_VÉRIFICATION est la clé publiée de la
cellule (le fichier en rappelle une sous « verifier_key » : comparez-la à la clé publiée, ne vous y fiez
pas seule). Les événements listés sous « pending » sont trop récents : le prochain point de contrôle
les couvrira, et un nouvel export en donnera les reçus.
"""


def _when(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"
    return f"{value:%d/%m/%Y}"


def _user(user: User | None) -> str:
    return f"{user.get_full_name()} ({user.get_username()})" if user else ""


def _table(model, rows, fields: list[str]) -> tuple[list[str], list[tuple]]:
    """The rows' fields, choices by their labels, dates in French, users by name."""
    meta = model._meta
    headers = [str(meta.get_field(name).verbose_name) for name in fields]
    table = []
    for row in rows:
        values = []
        for name in fields:
            field = meta.get_field(name)
            value = getattr(row, name)
            if field.choices:
                value = getattr(row, f"get_{name}_display")()
            elif field.is_relation:
                value = _user(value) if field.related_model._meta.label_lower == "auth.user" else str(value or "")
            elif hasattr(value, "year"):
                value = _when(value)
            values.append("" if value is None else value)
        table.append(tuple(values))
    return headers, table


def _attach(out: dict[str, bytes], folder: str, attachment) -> None:
    content = attachments.read(attachment.stored_name)
    if content is not None:  # a file missing from the storage is left out, as its download is a 404
        out[f"{folder}/{attachment.pk}-{attachment.original_name}"] = content


def person_label(person) -> str:
    if isinstance(person, Person):
        return f"{person.first_name} {person.last_name} (jeune)"
    return f"{person.first_name} {person.last_name} ({person.get_relation_display().lower()})"


def who(person: Person | Relative) -> str:
    """How the trail names a person of a case: never by name."""
    return "jeune" if isinstance(person, Person) else f"proche n° {person.pk}"


def files(case: Case, person: Person | Relative) -> dict[str, bytes]:
    """The file names of the ZIP and their contents."""
    heading = f"Signalement {case.reference} — données concernant {person_label(person)}"
    out: dict[str, bytes] = {}

    def add(name: str, model, rows, fields: list[str]) -> None:
        headers, table = _table(model, rows, fields)
        out[f"{name}.csv"] = to_csv(heading, table, headers)

    chain = _cases(person)
    add("signalement", Case, chain, ["reference", "departement", "source", "received_on", "facts",
                                      "orientation_note", "state", "referent", "closure_reason", "closure_note",
                                      "closed_on"])
    add("signalements_suivants", CaseSignalement, CaseSignalement.objects.filter(case__in=chain).select_related(
        "case"), ["case", "source", "source_reference", "received_on", "facts", "orientation_note"])
    young = [person] if isinstance(person, Person) else list(Person.objects.filter(cases__in=chain).distinct())
    add("jeune", Person, young, ["last_name", "first_name", "birth_date", "sex", "commune", "address", "situation"])
    relatives = [person] if isinstance(person, Relative) else list(
        Relative.objects.filter(family__young_people__cases__in=chain).distinct())
    add("proches", Relative, relatives, ["relation", "last_name", "first_name", "phone", "email", "address",
                                         "parental_authority"])
    def of(related) -> models.QuerySet:
        return related.model.objects.filter(case__in=chain)

    add("adhesions", case.consents.model, of(case.consents), ["party", "status", "reason", "on", "recorded_by"])
    add("contacts_famille", case.family_contacts.model, of(case.family_contacts),
        ["on", "channel", "by", "outcome", "not_attempted_reason", "note"])
    add("prises_en_charge", case.care_measures.model, of(case.care_measures).select_related("institution"),
        ["modality", "beneficiary", "institution", "starts_on", "ends_on", "outcome"])
    add("revues", case.followups.model, of(case.followups), ["on", "by", "note", "propose_closure"])
    add("plan_objectifs", Objective, of(case.objectives), ["case", "domain", "text"])
    add("plan_actions", PlanAction, PlanAction.objects.filter(objective__case__in=chain).select_related(
        "objective", "owner", "institution", "measure"), ["objective", "what", "owner", "institution", "measure",
                                                          "due_on", "status", "note"])
    add("bilans", Bilan, of(case.bilans), ["case", "closed_on", "written_by", "exit_situation", "situation_note",
                                           "follow_up_planned", "follow_up_on"])
    add("bilans_objectifs", ObjectiveResult, ObjectiveResult.objects.filter(bilan__case__in=chain).select_related(
        "bilan", "objective"), ["bilan", "objective", "result"])
    notes = list(of(case.notes).select_related("author").prefetch_related("attachments"))
    add("notes", case.notes.model, notes, ["written_at", "author", "visibility", "text"])
    for note in notes:
        for attachment in note.attachments.all():
            _attach(out, "pieces_jointes", attachment)
    requests = MobileTeamRequest.objects.filter(case__in=chain)
    add("equipe_mobile_demandes", MobileTeamRequest, requests,
        ["requested_at", "motive", "expected", "urgency", "first_name", "age", "commune", "summary",
         "preferred_dates", "preferred_place", "family_agrees", "family_contact", "status", "scheduled_at",
         "scheduled_place", "intervener", "decline_reason", "outcome", "outcome_note"])
    add("equipe_mobile_comptes_rendus", InterventionReport, InterventionReport.objects.filter(request__case__in=chain),
        ["on", "by", "text"])
    messages = RequestMessage.objects.filter(request__case__in=chain).prefetch_related("attachments")
    add("equipe_mobile_messages", RequestMessage, messages, ["sent_at", "author", "from_team", "text"])
    for message in messages:
        for attachment in message.attachments.all():
            _attach(out, "equipe_mobile_pieces_jointes", attachment)
    add("entretiens", InterviewRequest, InterviewRequest.objects.filter(case__in=chain),
        ["requested_on", "with_whom", "requested_by", "channel", "status", "scheduled_at", "held_on", "outcome"])
    add("reunions", MeetingItem, MeetingItem.objects.filter(case__in=chain).select_related("meeting"),
        ["meeting", "decision"])
    sessions = SupportGroupSession.objects.filter(families__in=chain).select_related("group").distinct()
    add("groupes_de_parole", SupportGroupSession, sessions, ["group", "on"])
    about = Q(object_type=Case._meta.label_lower, object_id__in=[str(c.pk) for c in chain])
    if isinstance(person, Person):
        about |= Q(object_type=Person._meta.label_lower, object_id=str(person.pk))
    trail = Event.objects.filter(about).order_by("time", "id")
    out["consultations_et_actions.csv"] = to_csv(heading, [
        (_when(event.time), event.actor_label, ROLES.get(event.actor_role, event.actor_role),
         events.label(event.action))
        for event in trail], ["date", "qui", "rôle", "action"])
    out["recus_de_consultation.json"] = json.dumps(receipts.receipts(trail), ensure_ascii=False, indent=1).encode()
    out["recus_de_consultation_LISEZMOI.txt"] = RECEIPTS_README.encode()
    return out


def _cases(person: Person | Relative) -> list[Case]:
    """The cases whose file is the person's: every case about the young person, or about the young people
    of the relative's family; each with the cases it continues after transfers."""
    about = Q(person=person) if isinstance(person, Person) else Q(person__family_id=person.family_id)
    cases = list(Case.objects.filter(about).order_by("received_on", "number"))
    chain: list[Case] = []
    for one in cases:
        chain += [c for c in (one, *one.origins()) if c not in chain]
    return chain


def archive(case: Case, person: Person | Relative) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zip_file:
        for name, content in files(case, person).items():
            zip_file.writestr(name, content)
    return buffer.getvalue()
