"""The demo's cellule working together, acted out through the entry points on the days it
happened: an orientation to the PJJ whose educator reads his part of the case and answers, notes of
several visibilities with their files, a member who left and whose cases went to a colleague, a
transfer accepted, one refused and one waiting, a conversation with the mobile team with a file,
and a task so late that it went up to the coordinators; the notifications all this made, the
coordinator's older ones read.
"""

import datetime
from typing import cast

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import actions
from cases.models import CareMeasure, Case, State, Visibility
from demo.cases import DemoCases
from mobile_team import actions as mobile
from mobile_team.models import MobileTeamRequest
from organisation import actions as organisation
from organisation.models import Departement, Institution, Membership, Role
from organisation.policy import SYSTEM
from workflows import escalation, notices, saved_views
from workflows.models import Notification, SavedView


def pdf(name: str, line: str) -> SimpleUploadedFile:
    """A one-page PDF saying ``line``, written here: the demo's files are generated like its data."""
    text = line.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + content + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    body += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def create_demo_teamwork() -> None:
    here, there = DemoCases("93"), DemoCases("69")
    in_care = list(Case.objects.filter(departement__code="93", state=State.IN_CARE).select_related("referent")
                   .order_by("received_on"))
    orientation(here, in_care[0])
    member_left(here, in_care[1])
    transfers(here, there, in_care[2], in_care[3])
    conversation(here)
    saved_lists(here)
    escalation.escalate(SYSTEM)  # the daily job: the contact left late (DemoCases.left_late) among others
    notifications_read(here)


def notifications_read(demo: DemoCases) -> None:
    """The coordinator has read what they were told until a week ago: the rest shows unread. Every
    notification of the demo was made by the entry points above, as it would be in service."""
    week_ago = timezone.now() - datetime.timedelta(days=7)
    older = Notification.objects.of(demo.coordinator).filter(created_at__lt=week_ago).values_list("pk", flat=True)
    notices.read_notifications(demo.coordinator, list(older))


def saved_lists(demo: DemoCases) -> None:
    """The coordinator's views of the lists: the members open their tasks late first, and the cellule
    shares the signalements waiting for a référent."""
    saved_views.save_view(demo.coordinator, SavedView.Page.MINE, "En retard d'abord", "echeance=retard",
                          default_for=Role.MEMBER)
    saved_views.save_view(demo.coordinator, SavedView.Page.CASES, "Référent à nommer", "state=family_contacted",
                          shared=True)


def orientation(demo: DemoCases, case: Case) -> None:
    """The référent orients the young person to the PJJ on a judge's order; the PJJ's educator, a
    member of the cellule, reads his part and writes back; notes of each visibility, with files."""
    educator = User.objects.get(username="pjj93")
    pjj = Membership.objects.get(user=educator, cell=demo.cell).institution
    day = demo.later(demo.today - datetime.timedelta(days=20), 0, 2)
    referent = cast(User, case.referent)  # a case in care has one
    with demo.on(day):
        actions.add_care_measure(referent, case, modality=CareMeasure.Modality.EDUCATIONAL,
                                 beneficiary=CareMeasure.Beneficiary.YOUNG_PERSON, institution=pjj, starts_on=day,
                                 adhesion=CareMeasure.Adhesion.NOT_NEEDED,
                                 adhesion_note="Mesure éducative judiciaire ordonnée par le juge des enfants.")
        actions.add_note(referent, case, visibility=Visibility.NAMED, named=[educator],
                         text="Synthèse de la situation pour l'éducateur PJJ : scolarité, famille, rendez-vous pris.",
                         attachments=[pdf("synthese-pjj.pdf", "Synthese de situation pour la PJJ")])
        actions.add_note(demo.coordinator, case, visibility=Visibility.CELLULE,
                         text="Point en réunion de cellule : orientation PJJ confirmée.",
                         attachments=[pdf("releve-reunion.pdf", "Releve de decisions de la cellule")])
        actions.add_note(demo.coordinator, case, visibility=Visibility.REFERENT,
                         text=f"Échange avec le parquet : pas d'autre procédure en cours. @{referent.username}, "
                              "pour information avant la prochaine revue.")  # a mention: the référent is told
    with demo.on(demo.later(day, 3, 6)):
        actions.add_note(educator, case, visibility=Visibility.REFERENT, text=demo.about(
            case, "Premier entretien éducatif tenu ; {le} s'est présenté{e} avec sa mère."))


def member_left(demo: DemoCases, case: Case) -> None:
    """An educator followed a case and left the cellule: her cases and tasks went to a colleague."""
    leaving = User(username="depart93", first_name="Louise", last_name="Garnier", email="depart93@demo.invalid")
    leaving.set_unusable_password()  # she never signs in: the demo shows what she left
    organisation.save_reference(SYSTEM, leaving)
    membership = organisation.save_membership(SYSTEM, Membership(
        user=leaving, cell=demo.cell, role=Role.MEMBER, function="Éducatrice spécialisée",
        institution=Institution.objects.get(name="Association Sauvegarde 93"), starts_on=datetime.date(2024, 1, 1)))
    given = demo.later(demo.today - datetime.timedelta(days=45), 0, 3)
    with demo.on(given):
        actions.change_referent(demo.coordinator, case, referent=leaving, reason="Rééquilibrage des suivis.")
    left = demo.later(demo.today - datetime.timedelta(days=12), 0, 2)
    with demo.on(left):
        organisation.end_membership(demo.coordinator, membership, left, successor=User.objects.get(username="membre93"))


def transfers(here: DemoCases, there: DemoCases, accepted: Case, refused: Case) -> None:
    """Two cases of the 93 asked for by the Rhône's cellule: one taken over, one refused; and a case of
    the Rhône waiting for the 93's answer."""
    rhone, seine = Departement.objects.get(code="69"), Departement.objects.get(code="93")
    asked = here.later(here.today - datetime.timedelta(days=18), 0, 2)
    with here.on(asked):
        first = actions.transfer(here.coordinator, accepted, destination=rhone,
                                 note="La famille s'installe à Villeurbanne à la rentrée.")
        second = actions.transfer(here.coordinator, refused, destination=rhone,
                                  note=here.about(refused, "{Le} serait hébergé{e} chez un oncle à Lyon."))
    with there.on(there.later(asked, 2, 4)):
        actions.accept_transfer(there.coordinator, first)
        actions.refuse_transfer(there.coordinator, second, reason=there.about(
            refused, "L'oncle confirme que {le} reste en Seine-Saint-Denis : pas de domicile dans le Rhône."))
    waiting = Case.objects.filter(departement=rhone, state=State.IN_CARE).order_by("received_on").first()
    with there.on(there.later(there.today - datetime.timedelta(days=3), 0, 1)):
        actions.transfer(there.coordinator, waiting, destination=seine, note="Déménagement de la famille à Montreuil.")


def conversation(demo: DemoCases) -> None:
    """The mobile team asks the cellule a question and sends its report; the coordinator answers."""
    request = (MobileTeamRequest.objects.filter(case__departement=demo.cell.departement,
                                                status=MobileTeamRequest.Status.SCHEDULED).first())
    asked = demo.later(demo.today - datetime.timedelta(days=6), 0, 1)
    with demo.on(asked):
        mobile.send_message(demo.agent, request, "Pouvez-vous nous confirmer le créneau du mercredi ? Nous joignons "
                                                 "la trame de l'entretien proposé à la famille.",
                            [pdf("trame-entretien.pdf", "Trame de l'entretien avec la famille")])
    with demo.on(demo.later(asked, 1, 2)):
        mobile.mark_read(demo.coordinator, request)
        mobile.send_message(demo.coordinator, request,
                            "Mercredi 14 h confirmé avec la mère ; le référent sera présent.")
