"""What a careful user reads on the case screens: no choice recorded that nobody made, refusals that
name their cause, the next deadline and states coloured by meaning, French typography."""

import datetime
import html
import re

from django.urls import reverse
from django.utils import timezone

from cases import actions
from cases.models import Case
from organisation import policy
from tests.cases.factories import CaseFactory, person_data
from ui.french import long_date
from workflows import tasks

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

TODAY = timezone.localdate()
REQUIRED = "Ce champ est obligatoire."


def text(response) -> str:
    return html.unescape(response.content.decode())


def selected_options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*selected', select)


# --- selects start empty --------------------------------------------------------------------------

def test_the_consultation_motive_starts_empty_and_must_be_chosen(client, personas):
    case = CaseFactory(coordinator=personas.coord_a)
    client.force_login(personas.coord_a)
    url = reverse("cases:motive", args=[case.pk])
    page = text(client.get(url))
    assert "— choisir —" in page and selected_options(page, "reason") in ([], [""])
    response = client.post(url, {"reason": "", "text": ""})
    assert response.status_code == 400 and REQUIRED in text(response)


def test_the_closure_reason_and_the_measures_outcome_start_empty(client, personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    client.force_login(personas.coord_a)
    page = text(client.get(reverse("cases:action", args=[case.pk, "cloturer"])))
    assert selected_options(page, "reason") in ([], [""])
    assert selected_options(page, "measures_outcome") in ([], [""])
    measure = case.care_measures.get()
    page = text(client.get(reverse("cases:record_action", args=[case.pk, "fin-mesure", measure.pk])))
    assert selected_options(page, "outcome") in ([], [""])


def test_closing_without_the_confirmation_changes_nothing(client, personas):
    case = CaseFactory(coordinator=personas.coord_a)
    client.force_login(personas.coord_a)
    response = client.post(reverse("cases:action", args=[case.pk, "cloturer"]),
                           {"reason": "unfounded", "note": "Hors champ."})
    assert response.status_code == 400 and REQUIRED in text(response)
    case.refresh_from_db()
    assert case.state == "received"


# --- refusals name their cause --------------------------------------------------------------------

def test_an_action_the_state_does_not_allow_says_so_rather_than_refusing_a_right(client, personas):
    """A member follows the link of their family-contact task after the case was closed: the cause
    is the case's state, not a missing right."""
    membership = personas.member_a.memberships.get()
    membership.contacts_families = True
    membership.save()
    policy.forget(personas.member_a)
    case = CaseFactory(coordinator=personas.coord_a)
    tasks.claim(personas.member_a, case.tasks.get(flow_task_name="contact_family"))
    actions.close(personas.coord_a, case, reason="unfounded", note="Hors champ.")
    client.force_login(personas.member_a)
    response = client.get(reverse("cases:action", args=[case.pk, "contact"]), follow=True)
    page = text(response)
    assert response.status_code == 200 and "droits" not in page
    assert (f"« Enregistrer un contact avec la famille » n'est pas possible : le signalement {case.reference} est "
            "clôturé : rouvrez-le d'abord.") in page


def test_a_cancelled_task_is_not_said_to_be_taken_by_someone_else(client, personas):
    case = CaseFactory(coordinator=personas.coord_a)
    task = case.tasks.get(flow_task_name="contact_family")
    actions.close(personas.coord_a, case, reason="unfounded", note="Hors champ.")
    client.force_login(personas.coord_a)
    page = text(client.post(reverse("workflows:claim", args=[task.pk]), follow=True))
    assert "déjà été prise" not in page
    assert (f"La tâche « Contacter la famille » a été annulée : le signalement {case.reference} est passé à "
            "l'état « Clôturé ».") in page


def test_a_task_already_done_is_said_done(client, personas):
    case = CaseFactory(coordinator=personas.coord_a, family_contacted=True)
    task = case.tasks.get(flow_task_name="contact_family")
    client.force_login(personas.coord_a)
    page = text(client.get(reverse("workflows:task", args=[task.pk]), follow=True))
    assert "La tâche « Contacter la famille » est déjà faite" in page
    assert "Prenez d'abord cette tâche" not in page


# --- next deadline, states coloured by meaning -----------------------------------------------------

def test_the_list_shows_each_cases_next_deadline_and_coloured_states(client, personas):
    received = CaseFactory(coordinator=personas.coord_a)
    closed = CaseFactory(coordinator=personas.coord_a, closed=True)
    due = received.tasks.open().order_by("due_on").first().due_on
    client.force_login(personas.coord_a)
    page = text(client.get(reverse("cases:list")))
    assert "Prochaine échéance" in page
    row = re.search(rf"{received.reference}</a>.*?</tr>", page, re.S).group(0)
    assert due.strftime("%d/%m/%Y") in row and "fr-badge--new" in row
    row = re.search(rf"{closed.reference}</a>.*?</tr>", page, re.S).group(0)
    assert "fr-badge--success" in row and re.search(r"<td[^>]*>—</td>\s*</tr>", row)  # a closed case has no deadline
    detail = text(client.get(reverse("cases:detail", args=[closed.pk])))
    assert re.search(r'class="fr-badge[^"]*fr-badge--success[^"]*" id="case-state"', detail)


# --- French typography -----------------------------------------------------------------------------

def test_long_dates_write_the_first_of_the_month_as_1er():
    assert long_date(datetime.date(2026, 1, 1)) == "1er janvier 2026"
    assert long_date(datetime.date(2026, 3, 2)) == "2 mars 2026"


def test_the_case_page_writes_1er_and_born_by_sex(client, personas):
    first = TODAY.replace(day=1)
    she = CaseFactory(coordinator=personas.coord_a, received_on=first,
                      person=person_data(first_name="Léa", sex="f", birth_date=datetime.date(2010, 3, 4)))
    he = CaseFactory(coordinator=personas.coord_a)
    client.force_login(personas.coord_a)
    page = text(client.get(reverse("cases:detail", args=[she.pk])))
    assert f"reçu le {long_date(first)}" in page and long_date(first).startswith("1er ")
    assert "(mineure), née le 04/03/2010" in page and "né(e)" not in page
    page = text(client.get(reverse("cases:detail", args=[he.pk])))
    assert "(mineur), né le 04/03/2010" in page
    assert Case.objects.count() == 2
