"""The whole lifecycle (docs/case-lifecycle.md) through HTTP, as its users take it: intake, family contact, referent,
care, mobile team and its answer, review proposing closure, closure. At each step, each actor's
inbox and the audit trail are checked."""

import datetime

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases.models import Case
from organisation.models import Institution
from tests.cases.factories import progress_form
from tests.organisation.factories import MembershipFactory

TODAY = timezone.localdate().isoformat()


def inbox(client: Client, tab: str = "workflows:inbox") -> set[str]:
    page = client.get(reverse(tab)).content.decode()
    labels = ["Contacter la famille", "Désigner un référent", "Démarrer la prise en charge",
              "Revue de suivi", "Décider de la clôture", "Prendre connaissance de la réponse de l&#x27;équipe mobile"]
    return {label for label in labels if f'<td data-label="Tâche">{label}</td>' in page}


def post(client: Client, url: str, data: dict) -> str:
    response = client.post(url, data, follow=True)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


def test_a_case_from_intake_to_closure(personas):
    designated = MembershipFactory(cell=personas.cell_a, contacts_families=True, user__username="designee").user
    coordinator, referent, contact = Client(), Client(), Client()
    coordinator.force_login(personas.coord_a)
    referent.force_login(personas.member_a)
    contact.force_login(designated)
    institution = Institution.objects.create(name="Maison des adolescents", category="association",
                                             departement=personas.cell_a.departement)

    # The coordinator registers the signalement: the family contact waits in the team's queue.
    post(coordinator, reverse("cases:intake"), {
        "source": "ems", "received_on": TODAY, "facts": "Isolement et propos de rupture.",
        "orientation_note": "Orienté par le GED vers la cellule.",
        "person_last_name": "Mercier", "person_first_name": "Jade", "person_birth_date": "2009-09-09",
        "person_sex": "f", "person_commune": "Montreuil", "person_situation": "school",
        "relative1_relation": "mother", "relative1_last_name": "Mercier", "relative1_first_name": "Anne",
        "relative1_phone": "06 00 00 00 01", "relative1_parental_authority": "on",
    })
    case = Case.objects.get()
    assert inbox(coordinator, "workflows:queue") == inbox(contact, "workflows:queue") == {"Contacter la famille"}
    assert inbox(referent, "workflows:queue") == set()  # not designated for family contacts

    # The designated member takes the task and reaches the family.
    task = case.tasks.get(flow_task_name="contact_family")
    post(contact, reverse("workflows:claim", args=[task.pk]), {})
    assert inbox(contact) == {"Contacter la famille"} and inbox(coordinator, "workflows:queue") == set()
    page = post(contact, reverse("cases:action", args=[case.pk, "contact"]),
                {"on": TODAY, "channel": "visit", "outcome": "reached", "note": "Mère rencontrée au domicile."})
    assert "Famille contactée" in page
    assert inbox(contact) == set() and inbox(contact, "workflows:done") == {"Contacter la famille"}
    assert inbox(coordinator, "workflows:queue") == {"Désigner un référent"}

    # The coordinator names the referent, who gets the care to set up.
    post(coordinator, reverse("workflows:claim", args=[case.tasks.get(flow_task_name="name_referent").pk]), {})
    post(coordinator, reverse("cases:action", args=[case.pk, "attribuer"]),
         {"referent": personas.member_a.memberships.get().pk})
    assert inbox(referent) == {"Démarrer la prise en charge"} and inbox(coordinator) == set()

    # The referent starts the care with a first measure and records the family's consent.
    post(referent, reverse("cases:action", args=[case.pk, "prise-en-charge"]),
         {"modality": "psychological", "beneficiary": "young_person", "institution": institution.pk,
          "starts_on": TODAY, "adhesion": "young_person", "domain": "schooling",
          "text": "Retrouver une scolarité régulière."})
    post(referent, reverse("cases:action", args=[case.pk, "adhesion"]),
         {"party": "family", "status": "given", "on": TODAY})
    assert inbox(referent) == {"Revue de suivi"}

    # The coordinator calls the mobile team; an agent takes the request, accepts, schedules, reports
    # and completes it; the coordinators read each answer.
    post(coordinator, reverse("cases:action", args=[case.pk, "equipe-mobile"]),
         {"motive": "Avis clinique sur l'emprise.", "expected": "individual_care", "urgency": "urgent",
          "summary": "Isolement, rupture avec les amis du collège.", "preferred_dates": "Mercredi",
          "preferred_place": "Montreuil"})
    assert "Équipe mobile sollicitée" in coordinator.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert inbox(referent) == {"Revue de suivi"}  # the follow-up goes on meanwhile
    request = case.mobile_team_requests.get()
    team = Client()
    team.force_login(personas.mobile)
    queue = team.get(reverse("mobile_team:queue")).content.decode()
    assert "Jade, " in queue and "Montreuil" in queue and "Mercier" not in queue
    post(team, reverse("mobile_team:claim", args=[request.pk]), {})
    post(team, reverse("mobile_team:action", args=[request.pk, "accepter"]), {})
    answer = "Prendre connaissance de la réponse de l&#x27;équipe mobile"
    assert inbox(coordinator, "workflows:queue") == {answer}
    planned = timezone.localtime() + datetime.timedelta(minutes=5)
    post(team, reverse("mobile_team:action", args=[request.pk, "planifier"]),
         {"scheduled_at": f"{planned:%Y-%m-%dT%H:%M}", "place": "CMP de Montreuil", "intervener": "Dr Petit"})
    with time_machine.travel(planned + datetime.timedelta(minutes=10)):  # once the intervention took place
        post(team, reverse("mobile_team:action", args=[request.pk, "compte-rendu"]),
             {"on": timezone.localdate().isoformat(), "text": "Trois entretiens ; adhésion de la jeune."})
        page = post(team, reverse("mobile_team:action", args=[request.pk, "terminer"]), {})
    assert "Terminée" in page
    read = case.tasks.get(flow_task_name="read_team_answer", status="NEW")
    post(coordinator, reverse("workflows:claim", args=[read.pk]), {})
    post(coordinator, reverse("cases:action", args=[case.pk, "lire-reponse-equipe-mobile"]), {})
    assert inbox(coordinator) == set()

    # The referent's review proposes to close; the coordinators decide.
    post(referent, reverse("cases:action", args=[case.pk, "revue"]),
         {"note": "Situation stabilisée, scolarité reprise.", "propose_closure": "on",
          **progress_form(case, "reached")})
    assert inbox(coordinator, "workflows:queue") == {"Décider de la clôture"}
    decide = case.tasks.get(flow_task_name="decide_closure")
    post(coordinator, reverse("workflows:claim", args=[decide.pk]), {})
    page = post(coordinator, reverse("cases:action", args=[case.pk, "cloturer"]),
                {"reason": "completed", "note": "Objectifs atteints.", "measures_outcome": "completed",
                 "confirm": "on", "exit_situation": "school", f"resultat_{case.objectives.get().pk}": "reached"})
    assert "Clôturé" in page
    assert inbox(coordinator) == inbox(referent) == inbox(contact) == set()
    assert inbox(coordinator, "workflows:queue") == set()

    case.refresh_from_db()
    assert (case.state, case.referent, case.closure_reason) == ("closed", personas.member_a, "completed")
    transitions = list(Event.objects.filter(object_id=str(case.pk), action__in=[
        "case.intake", "case.contact_family", "case.assign", "case.start_care", "case.request_mobile_team",
        "case.mobile_team_done", "case.close"]).values_list("action", "actor__username"))
    assert transitions == [
        ("case.intake", "coord_a"), ("case.contact_family", "designee"), ("case.assign", "coord_a"),
        ("case.start_care", "member_a"), ("case.request_mobile_team", "coord_a"),
        ("case.mobile_team_done", "mobile"), ("case.close", "coord_a"),
    ]
    assert Event.objects.filter(action="task.claim").count() == 5
    assert Event.objects.filter(action="case.consent", actor=personas.member_a).count() == 1
