"""The import of a young person already followed: the preview offers to join their open case or to
open a new case on them, the coordinator's decision is checked again when the import is confirmed,
two lines about one young person make one person, and a historical line keeps its year's reference
with tasks due from the import, so that nothing is overdue or escalated by it."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from audit.models import Event
from cases.models import Case, CaseSignalement, Person
from organisation.policy import SYSTEM
from tests.cases.factories import CaseFactory, person_data, transferred
from tests.intake.test_import import CONFIRM, as_csv, row, upload
from workflows import escalation

TODAY = timezone.localdate()
# The young person of ``row()``, already followed in the Seine-Saint-Denis.
LEA = person_data(last_name="Durand", first_name="Léa", birth_date=datetime.date(2011, 5, 17), sex="f")


@pytest.fixture
def coordinator(client, personas):
    client.force_login(personas.coord_a)
    return client


def signed(page: str) -> str:
    return page.split('name="rows" value="')[1].split('"')[0]


def offered(page: str, line: int) -> tuple[list[str], str]:
    """The decisions the preview offers for a line, and the one it selects."""
    select = page.split(f'name="choix-{line}"')[1].split("</select>")[0]
    values = re.findall(r'<option value="([^"]*)"\s*(selected)?', select)
    return [value for value, _ in values if value], next((value for value, chosen in values if chosen), "")


def test_the_preview_offers_the_followed_young_persons_open_case_by_default(coordinator, personas):
    followed = CaseFactory(coordinator=personas.coord_a, person=LEA)
    page = upload(coordinator, as_csv(row())).content.decode()
    assert "Jeune déjà suivi : à décider" in page
    assert f"Ce jeune est peut-être déjà suivi : {followed.reference}" in page
    choices, chosen = offered(page, 2)
    assert choices == [str(followed.pk), f"person-{followed.person_id}", f"new-{followed.person_id}"]
    assert chosen == str(followed.pk)  # a certain match: its open case, shown and changeable
    assert f"Rattacher au dossier en cours {followed.reference} de Léa DURAND" in page
    assert Case.objects.count() == 1 and not CaseSignalement.objects.exists()


def test_confirming_attach_adds_a_signalement_to_the_open_case(coordinator, personas):
    followed = CaseFactory(coordinator=personas.coord_a, person=LEA)
    page = upload(coordinator, as_csv(row())).content.decode()
    done = coordinator.post(CONFIRM, {"rows": signed(page), "choix-2": str(followed.pk)})
    assert done.status_code == 302
    assert Case.objects.count() == 1 and Person.objects.count() == 1
    added = CaseSignalement.objects.get(case=followed)
    assert (added.source_reference, added.received_on, added.recorded_by) == ("CNAPR-1", datetime.date(2026, 3, 2),
                                                                             personas.coord_a)
    assert Event.objects.get(action="case.signalement_add").details["signalement"] == followed.reference
    assert Event.objects.get(action="intake.import").details == {
        "fichier": "cellule.csv", "signalements": [], "rattachés": [f"ligne 2 : {followed.reference}"]}


def test_a_new_case_on_the_followed_young_person(coordinator, personas):
    followed = CaseFactory(coordinator=personas.coord_a, person=LEA, closed=True)
    page = upload(coordinator, as_csv(row())).content.decode()
    choices, chosen = offered(page, 2)
    assert choices == [f"person-{followed.person_id}", f"new-{followed.person_id}"]
    assert chosen == f"person-{followed.person_id}"
    coordinator.post(CONFIRM, {"rows": signed(page), "choix-2": chosen})
    new = Case.objects.exclude(pk=followed.pk).get()
    assert new.person_id == followed.person_id and Person.objects.count() == 1
    assert Event.objects.get(action="case.intake", details__signalement=new.reference).details["jeune_déjà_suivi"] \
        == followed.person_id


def test_another_young_person_is_a_decision_too(coordinator, personas):
    """A young person alike but not certainly the same: nothing is selected, the import asks; "another
    young person" opens a new person's case and records the cases the coordinator set aside."""
    followed = CaseFactory(coordinator=personas.coord_a, person={**LEA, "first_name": "Léna"})
    page = upload(coordinator, as_csv(row())).content.decode()
    assert offered(page, 2) == ([str(followed.pk), f"person-{followed.person_id}", f"new-{followed.person_id}"], "")
    refused = coordinator.post(CONFIRM, {"rows": signed(page)})  # no decision: nothing imported, asked again
    text = refused.content.decode()
    assert refused.status_code == 400 and "choisissez de rattacher ce signalement" in text
    assert Case.objects.count() == 1 and 'name="choix-2"' in text and signed(text) == signed(page)
    coordinator.post(CONFIRM, {"rows": signed(text), "choix-2": f"new-{followed.person_id}"})
    new = Case.objects.exclude(pk=followed.pk).get()
    assert new.person_id != followed.person_id
    assert Event.objects.get(action="case.intake", details__signalement=new.reference).details[
        "doublons_écartés"] == [followed.reference]


def test_a_crafted_decision_is_refused(coordinator, personas):
    CaseFactory(coordinator=personas.coord_a, person=LEA)  # the one offered
    elsewhere = CaseFactory(coordinator=personas.coord_b, person=LEA)
    left = CaseFactory(coordinator=personas.coord_a, person={**LEA, "commune": "Pantin"})
    transferred(personas, left)  # gone to the Rhône: its coordinators of the Seine-Saint-Denis no longer see it
    gone_person = left.person_id
    page = upload(coordinator, as_csv(row())).content.decode()
    assert str(elsewhere.pk) not in offered(page, 2)[0] and f"person-{gone_person}" not in offered(page, 2)[0]
    before = (Case.objects.count(), CaseSignalement.objects.count(), Event.objects.filter(action="case.intake").count())
    for crafted in (str(elsewhere.pk), f"person-{elsewhere.person_id}", f"person-{gone_person}", "person-x", "12ab"):
        answer = coordinator.post(CONFIRM, {"rows": signed(page), "choix-2": crafted})
        assert answer.status_code == 400, crafted
        assert "Ce choix ne fait pas partie de ceux proposés pour ce jeune" in answer.content.decode()
    assert (Case.objects.count(), CaseSignalement.objects.count(),
            Event.objects.filter(action="case.intake").count()) == before
    assert not Event.objects.filter(action="intake.import").exists()


def test_a_young_person_known_in_another_departement_names_whom_to_contact_there(coordinator, personas):
    """Issue 28, point 16: the preview said « contactez sa cellule » without saying which."""
    elsewhere = CaseFactory(coordinator=personas.coord_b, person={**LEA, "commune": "Villeurbanne"})
    page = upload(coordinator, as_csv(row())).content.decode()
    assert "Rhône (69)" in page and f'href="mailto:{personas.coord_b.email}"' in page
    assert elsewhere.reference not in page and "Villeurbanne" not in page


def test_a_decision_for_a_line_with_no_followed_young_person_is_refused(coordinator, personas):
    other = CaseFactory(coordinator=personas.coord_a)
    page = upload(coordinator, as_csv(row())).content.decode()
    answer = coordinator.post(CONFIRM, {"rows": signed(page), "choix-2": str(other.pk)})
    assert answer.status_code == 400 and Case.objects.count() == 1 and not CaseSignalement.objects.exists()


def test_two_lines_about_one_young_person_make_one_person(coordinator):
    second = row(**{"Référence à l'origine": "CNAPR-2", "Nom": "DURAND", "Prénom": "Lea", "Reçu le": "05/03/2026",
                    "Faits signalés": "Nouvel incident au collège."})
    other = row(**{"Référence à l'origine": "CNAPR-3", "Nom": "Martin", "Prénom": "Hugo"})
    alike = row(**{"Référence à l'origine": "CNAPR-4", "Prénom": "Léna"})  # maybe her, maybe her sister: shown
    page = upload(coordinator, as_csv(row(), other, second, alike)).content.decode()
    assert "Même jeune que la ligne 2" in page and "choix-4" not in page
    assert "Ressemble au jeune de la ligne 2 du fichier" in page and "choix-5" not in page
    coordinator.post(CONFIRM, {"rows": signed(page)})
    assert Person.objects.count() == 3 and Case.objects.count() == 3
    case = Case.objects.get(person__first_name="Léa")
    assert list(case.signalements.values_list("source_reference", flat=True)) == ["CNAPR-2"]
    assert Event.objects.get(action="intake.import").details["rattachés"] == [f"ligne 4 : {case.reference}"]


def test_a_historical_line_keeps_its_year_and_is_not_overdue(coordinator):
    page = upload(coordinator, as_csv(row(**{"Reçu le": "15/09/2025"}))).content.decode()
    coordinator.post(CONFIRM, {"rows": signed(page)})
    case = Case.objects.get()
    assert case.reference == "93-2025-0001" and case.received_on == datetime.date(2025, 9, 15)
    task = case.tasks.get(flow_task_name="contact_family")
    assert task.due_on == TODAY + datetime.timedelta(days=7) and not task.is_overdue
    assert escalation.escalate(SYSTEM) == []
    with time_machine.travel(TODAY + datetime.timedelta(days=14)):  # overdue by its own period: not yet
        assert escalation.escalate(SYSTEM) == []


def test_another_young_person_holds_only_for_the_young_people_shown(coordinator, personas):
    """Between the preview and the import, a young person alike is followed: "another young person",
    decided on the first alone, is asked again with both in view; nothing is imported meanwhile."""
    followed = CaseFactory(coordinator=personas.coord_a, person={**LEA, "first_name": "Léna"})
    page = upload(coordinator, as_csv(row())).content.decode()
    since = CaseFactory(coordinator=personas.coord_a, person={**LEA, "first_name": "Léana"})
    refused = coordinator.post(CONFIRM, {"rows": signed(page), "choix-2": f"new-{followed.person_id}"})
    text = refused.content.decode()
    assert refused.status_code == 400 and "reprenez l&#x27;aperçu" in text and since.reference in text
    assert Case.objects.count() == 2
