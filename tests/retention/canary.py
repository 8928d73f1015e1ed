"""A case carrying a canary in every personal field, built through the entry points as its users
would, and the search for that canary in every table of the database and every attachment file."""

import datetime

import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from cases import actions
from cases.actions import plan
from cases.models import Case
from cellule import actions as cellule
from mobile_team import actions as mobile
from tests.cases.factories import progress
from tests.cellule.factories import decision
from tests.organisation.factories import InstitutionFactory, MembershipFactory
from workflows import tasks


def needles(canary: str) -> list[str]:
    """What the search looks for: the canary (any case) and the phone built from it."""
    return [canary.lower(), phone(canary)]


def phone(canary: str) -> str:
    return "06 " + " ".join(f"{sum(map(ord, canary)) % 100:02d}" for _ in range(4))


def full_case(personas, canary: str, *, through_mobile_team: bool = True, close: bool = True) -> Case:
    """Intake, relatives, contact, referent, care, a plan (an objective, an action its partner updates),
    review and its proposal declined, a change of referent, a measure removed, a member's consultation with a
    motive, note with a PDF, interview request, information of the procureur, meeting decision, mobile team
    (request, schedule, report, messages both ways), a refused transfer, closure with its bilan, reopening and
    closure again: ``canary`` in every text a person could be named or described in, as ``{canary}-{what}``, the
    reasons and motives that the trail refers to included."""
    coord, referent = personas.coord_a, personas.member_a
    today = timezone.localdate()
    relative = {"relation": "mother", "last_name": f"{canary}-mere-nom", "first_name": f"{canary}-mere-prenom",
                "phone": phone(canary), "email": f"{canary.lower()}-courriel@example.org",
                "address": f"1 rue {canary}-proche-adresse",
                "parental_authority": True}
    case = actions.intake(coord, personas.cell_a, source="cnapr", received_on=today, facts=f"Faits {canary}-faits",
                          orientation_note=f"Orientation {canary}-orientation",
                          person={"last_name": f"{canary}-nom", "first_name": f"{canary}-prenom",
                                  "birth_date": today.replace(year=today.year - 15), "sex": "f",
                                  "commune": f"{canary}-ville", "address": f"2 allée {canary}-adresse"},
                          relatives=[relative])
    actions.save_relative(coord, case, **{**relative, "relation": "father", "first_name": f"{canary}-pere-prenom"})
    actions.record_family_contact(coord, case, on=today, channel="phone", outcome="reached",
                                  note=f"Contact {canary}-contact")
    actions.assign(coord, case, referent=referent)
    institution = InstitutionFactory(name="Association Sauvegarde", category="association",
                                     departement=personas.cell_a.departement)
    actions.start_care(referent, case, measure={"modality": "social", "beneficiary": "young_person",
                                                "starts_on": today, "institution": institution,
                                                "adhesion": "young_person"},
                       objective={"domain": "schooling", "text": f"Rescolariser {canary}-objectif"})
    objective = case.objectives.get()
    plan.add_plan_action(referent, case, objective=objective, what=f"Inscription {canary}-action",
                         measure=case.care_measures.get(), due_on=today)
    partner = MembershipFactory(cell=personas.cell_a, institution=institution).user
    plan.update_plan_action(partner, objective.actions.get(), status="ongoing", note=f"Dossier {canary}-avancement")
    actions.complete_review(referent, case, note=f"Revue {canary}-revue", propose_closure=True, progress=progress(case))
    actions.decline_closure(coord, case, note=f"Suivi poursuivi {canary}-poursuite")
    actions.change_referent(coord, case, referent=coord, reason=f"Congé {canary}-changement")
    consult(referent, case, f"Dossier de {canary}-precision")  # no longer its référent: a motive is asked
    actions.change_referent(coord, case, referent=referent, reason="Retour de congé.")
    mistyped = actions.add_care_measure(coord, case, modality="health", beneficiary="young_person", starts_on=today,
                                        institution=institution, adhesion="not_needed",
                                        adhesion_note=f"Ordonnée {canary}-adhesion")
    actions.remove_care_measure(coord, mistyped, reason=f"Doublon {canary}-retrait")
    pdf = SimpleUploadedFile(f"{canary}-fichier.pdf", f"%PDF-1.4 {canary}-contenu".encode(),
                             content_type="application/pdf")
    actions.add_note(coord, case, text=f"Note {canary}-note", visibility="cellule", attachments=[pdf])
    interview = cellule.record_interview_request(coord, case, with_whom="prefet", channel="phone",
                                                 requested_by=f"Mère {canary}-entretien", requested_on=today)
    cellule.update_interview_request(coord, case, interview, status="held", held_on=today,
                                     outcome=f"Entretien {canary}-entretien-suite")
    actions.inform_prosecutor(coord, case, on=today, means="letter", shared=f"Situation {canary}-procureur")
    meeting = cellule.schedule_meeting(coord, personas.cell_a, held_at=timezone.now(), cases=[case])
    cellule.record_meeting(coord, meeting, minutes="Réunion ordinaire.",
                           decisions={item.pk: decision(f"Décision {canary}-decision") for item in meeting.items.all()},
                           attendance={})
    if through_mobile_team:
        request = mobile.request_mobile_team(
            coord, case, motive=f"Motif {canary}-motif", expected="individual_care", urgency="normal",
            summary=f"Situation {canary}-situation", preferred_dates=f"Mercredi {canary}-dates",
            preferred_place=f"Lieu {canary}-lieu",
            family_agrees=True, family_contact=f"Joindre {canary}-joindre")
        tasks.claim(personas.mobile, case.tasks.get(flow_task_name="handle_request"))
        mobile.accept(personas.mobile, request)
        planned = timezone.now() + datetime.timedelta(minutes=1)
        mobile.schedule(personas.mobile, request, scheduled_at=planned,
                        place=f"Salle {canary}-salle", intervener=f"Psychologue {canary}-intervenant")
        letter = SimpleUploadedFile(f"{canary}-courrier.pdf", f"%PDF-1.4 {canary}-lettre".encode(),
                                    content_type="application/pdf")
        mobile.send_message(personas.mobile, request, f"Question {canary}-question", attachments=[letter])
        mobile.send_message(coord, request, f"Réponse {canary}-reponse")
        with time_machine.travel(planned + datetime.timedelta(minutes=1)):  # once the intervention took place
            mobile.add_report(personas.mobile, request, on=timezone.localdate(),
                              text=f"Compte rendu {canary}-compte-rendu")
            mobile.complete(personas.mobile, request)
    transfer = actions.transfer(coord, case, destination=personas.cell_b.departement, note=f"Départ {canary}-transfert")
    actions.refuse_transfer(personas.coord_b, transfer, reason=f"Refus {canary}-refus")
    if close:
        actions.close(coord, case, reason="completed", note=f"Clôture {canary}-cloture", measures_outcome="completed",
                      bilan={"exit_situation": "school", "situation_note": f"Lycée {canary}-sortie",
                             "follow_up_planned": False, "follow_up_on": None,
                             "results": {objective.pk: "reached"}})
        actions.reopen(coord, case, reason=f"Nouveaux faits {canary}-reouverture")
        actions.close(coord, case, reason="completed", note=f"Clôture {canary}-cloture")
    case.refresh_from_db()
    return case


def consult(reader, case: Case, precision: str) -> None:
    """``reader`` opens the case with the motive "Autre" and its précision, as on the motive page."""
    client = Client()
    client.force_login(reader)
    with override_settings(SECOND_FACTOR_REQUIRED=False):  # also when built once for a module, before the fixtures
        asked = client.get(reverse("cases:detail", args=[case.pk])).url
        assert asked.split("?")[0] == reverse("cases:motive", args=[case.pk])
        client.post(reverse("cases:motive", args=[case.pk]), {"reason": "other", "text": precision})
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200


def unfounded_case(personas, canary: str) -> Case:
    """Received, then closed as unfounded: it never went past "Reçu"."""
    today = timezone.localdate()
    case = actions.intake(personas.coord_a, personas.cell_a, source="ems", received_on=today,
                          facts=f"Faits {canary}", person={
                              "last_name": f"{canary}-Nom", "first_name": f"{canary}-Jeune", "sex": "m",
                              "birth_date": today.replace(year=today.year - 16), "commune": f"{canary}-Ville"})
    actions.close(personas.coord_a, case, reason="unfounded", note=f"Infondé {canary}")
    case.refresh_from_db()
    return case


def text(value) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("latin-1").lower()
    return str(value).lower()


def residue(canary: str) -> dict[str, int]:
    """Where the canary still stands: rows per table (every column of every table, by the database's
    introspection), and ``files`` for the attachments' directory."""
    found: dict[str, int] = {}
    wanted = needles(canary)
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            hits = sum(1 for row in cursor.fetchall()
                       if any(needle in text(value) for value in row for needle in wanted))
            if hits:
                found[table] = hits
    files = sum(1 for path in settings.ATTACHMENTS_ROOT.rglob("*")
                if path.is_file() and canary.encode() in path.read_bytes())
    if files:
        found["files"] = files
    return found
