"""The national data set: what ``seed_national`` writes in bulk keeps the invariants the
entry points keep, the entry points work on it afterwards, and ``check_consistency`` names each
kind of breakage."""

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import audit
from cases import actions
from cases.models import CareMeasure, Case, CaseCounter, ClosureReason, FamilyContact, Person, State
from cases.task_kinds import CONTACT_FAMILY, NAME_REFERENT, REVIEW
from demo.national import GOALS, National
from organisation.models import Institution, Membership, Role
from project import consistency
from tests.cases.factories import bilan, progress
from tests.conftest import built_once
from workflows import tasks
from workflows.models import CaseTask

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """The data set, generated once for the module: each test's changes roll back with it."""
    with built_once(django_db_blocker):
        with audit.acting(label="test"):
            summary = National(cases=120, seed=3, reads=(1, 2), batch=50).run()
        yield summary


@pytest.fixture
def national(generated, db, settings, tmp_path):
    # The session's directory of attachments holds the files of other tests' notes, rolled back with
    # them: check_consistency would rightly name them.
    settings.ATTACHMENTS_ROOT = tmp_path
    return generated


def broken() -> dict[str, list[str]]:
    return {label: examples for label, count, examples in consistency.run() if count}


def test_the_generated_set_keeps_every_invariant(national):
    assert national["cases"] == 120
    assert broken() == {}
    states = set(Case.objects.values_list("state", flat=True))
    assert states == set(GOALS)  # every state of the lifecycle the generator plays
    open_tasks = CaseTask.objects.open()
    assert open_tasks.filter(flow_task_name=REVIEW).exists()
    assert open_tasks.filter(flow_task_name=CONTACT_FAMILY, listed_owner__isnull=True).exists()
    assert national["sealed"] > 120 * 5  # every event written, sealed: the chain verifies (above)


def test_the_entry_points_work_on_the_generated_cases(national):
    case = Case.objects.filter(state=State.RECEIVED, tasks__flow_task_name=CONTACT_FAMILY,
                               tasks__listed_owner__isnull=True).first()
    cell = case.departement.cell
    coordinator = Membership.objects.get(cell=cell, role=Role.COORDINATOR).user
    member = Membership.objects.filter(cell=cell, role=Role.MEMBER, contacts_families=True).first().user
    today = timezone.localdate()
    tasks.claim(member, case.tasks.get(flow_task_name=CONTACT_FAMILY))
    actions.record_family_contact(member, case, on=today, channel=FamilyContact.Channel.PHONE,
                                  outcome=FamilyContact.Outcome.REACHED)
    tasks.claim(coordinator, case.tasks.get(flow_task_name=NAME_REFERENT))
    actions.assign(coordinator, case, referent=member)
    actions.start_care(member, case, measure={
        "modality": CareMeasure.Modality.SOCIAL, "beneficiary": CareMeasure.Beneficiary.FAMILY,
        "institution": Institution.objects.filter(membership__cell=cell).first(), "starts_on": today,
        "adhesion": CareMeasure.Adhesion.FAMILY}, objective={"domain": "family", "text": "Apaiser les relations."})
    in_care = Case.objects.filter(state=State.IN_CARE).exclude(pk=case.pk).select_related("referent").first()
    actions.complete_review(in_care.referent, in_care, note="Point de situation.", propose_closure=True,
                            progress=progress(in_care))
    in_care_coordinator = Membership.objects.get(cell__departement=in_care.departement, role=Role.COORDINATOR).user
    actions.close(in_care_coordinator, in_care, reason=ClosureReason.COMPLETED, note="Objectifs atteints.",
                  measures_outcome=CareMeasure.Outcome.COMPLETED, bilan=bilan(in_care))
    case.refresh_from_db()
    in_care.refresh_from_db()
    assert (case.state, in_care.state) == (State.IN_CARE, State.CLOSED)
    assert broken() == {}


def test_the_next_intake_takes_the_next_number(national):
    case = Case.objects.filter(year=timezone.localdate().year).order_by("-number").first()
    coordinator = Membership.objects.get(cell__departement=case.departement, role=Role.COORDINATOR).user
    new = actions.intake(coordinator, case.departement.cell, source="cnapr", received_on=timezone.localdate(),
                         facts="Propos inquiétants.", person={
                             "last_name": "Durand", "first_name": "Léa", "birth_date": datetime.date(2011, 3, 4),
                             "sex": "f", "commune": "Bobigny"})
    assert new.number == case.number + 1
    assert broken() == {}


def test_check_consistency_names_each_broken_invariant(national):
    closed_by_hand = Case.objects.filter(state=State.IN_CARE).first()
    Case.objects.filter(pk=closed_by_hand.pk).update(state=State.CLOSED)  # around the entry point
    task = CaseTask.objects.open().exclude(case=closed_by_hand).first()
    CaseTask.objects.filter(pk=task.pk).update(listed_status="DONE")
    person = Person.objects.exclude(cases=closed_by_hand).first()
    with connection.cursor() as cursor:  # the history's trigger lifted, as the tables' owner could (retention.history)
        cursor.execute("SET LOCAL cellule.erasing_history = 'on'" if connection.vendor == "postgresql" else "SELECT 1")
        Person.history.filter(id=person.pk).delete()
        cursor.execute("SET LOCAL cellule.erasing_history = 'off'" if connection.vendor == "postgresql" else "SELECT 1")
    counter = CaseCounter.objects.first()
    CaseCounter.objects.filter(pk=counter.pk).update(last=0)
    elsewhere = CareMeasure.objects.exclude(case=closed_by_hand).select_related("case").first()
    foreign = Institution.objects.exclude(departement=elsewhere.case.departement).filter(departement__isnull=False)[0]
    CareMeasure.objects.filter(pk=elsewhere.pk).update(institution=foreign)
    moved = Case.objects.exclude(pk=closed_by_hand.pk).exclude(person=person).first()  # its young person, elsewhere
    Person.objects.filter(pk=moved.person_id).update(departement=foreign.departement)

    found = broken()

    reference = closed_by_hand.reference
    assert reference in found["l'état d'un signalement va avec ses champs (référent, clôture) et son processus"]
    assert reference in found["les tâches ouvertes d'un signalement sont celles que son état demande, une de chaque"]
    assert reference in found["l'historique d'un signalement finit par son état présent"]
    assert found["les copies de la ligne de tâche (département, état, détenteur) sont celles de viewflow et du "
                 "signalement"] == [f"tâche {task.pk}"]
    assert found["chaque jeune, proche, contact et prise en charge a son historique"] == [f"jeune {person.pk}"]
    assert found["chaque signalement a son jeune, de son département, son processus, et une référence qui suit son "
                 "numéro"] == [moved.reference, f"compteur {counter.departement_id}/{counter.year}"]
    assert set(found["un signalement clôturé n'a plus de prise en charge en cours, et chacune est d'une institution "
                     "de son département ou nationale"]) == {
        f"prise en charge {closed_by_hand.care_measures.get().pk}", f"prise en charge {elsewhere.pk}"}
    # Its family stays in the département it left: named too.
    assert found["chaque jeune est d'une famille de son département, dont aucun proche n'est saisi deux fois"] == [
        f"jeune n° {moved.person_id}"]
    # And its words, which the search looks up by département, stay in the one it left.
    assert found["les clés de rapprochement et de recherche du jeune suivent ses nom, prénom, commune et "
                 "département"] == [f"jeune n° {moved.person_id}"]
    with pytest.raises(CommandError, match="9 invariant"):
        call_command("check_consistency", stdout=io.StringIO())


def test_seed_national_refuses_nonsense():
    with pytest.raises(CommandError, match="--cases doit être au moins 1"):
        call_command("seed_national", cases=0)


def test_the_working_pages_cost_the_same_queries_as_the_file_grows(client, national):
    """Each page shows rows before the file grows (an empty list skips its reads): the member holding
    most open tasks and their cellule's coordinator, a state and a name found in their département."""
    held = (CaseTask.objects.open().filter(listed_owner__memberships__role=Role.MEMBER)
            .values("departement", "listed_owner").annotate(n=Count("pk")).order_by("-n")[0])
    departement, holder = held["departement"], held["listed_owner"]
    cases = Case.objects.filter(departement=departement)
    state = cases.values("state").annotate(n=Count("pk")).order_by("-n")[0]["state"]
    name = cases.select_related("person").first().person.last_name.split()[0]
    people = [Membership.objects.get(cell__departement=departement, role=Role.COORDINATOR).user,
              Membership.objects.get(cell__departement=departement, user_id=holder).user]
    pages = ["/taches/", "/taches/file/", "/taches/terminees/", "/signalements/", f"/signalements/?state={state}",
             f"/signalements/?q={name}", "/"]

    def queries() -> dict[tuple[str, str], tuple[int, bool]]:
        """Each page's count of queries, and whether it listed nothing (an empty task list)."""
        counts = {}
        for user in people:
            client.force_login(user)
            for url in pages:
                # The clock stands still: a session writes its last request's time once a minute
                # (project.middleware.SessionLimitsMiddleware), which a slow machine would count here.
                with time_machine.travel(timezone.now(), tick=False):
                    client.get(url)  # the first request after the login also reads the session's user
                    with CaptureQueriesContext(connection) as captured:
                        response = client.get(url)
                assert response.status_code == 200
                counts[user.username, url] = len(captured), "Aucune tâche." in response.content.decode()
        return counts

    before, count = queries(), cases.count()
    with audit.acting(label="test"):
        National(cases=240, seed=5, reads=(1, 2), batch=100).run()
    assert cases.count() > count  # this seed adds cases to that département too
    after = queries()
    # A task list empty on either side (a queue nobody left a task in, which the data set's ids decide)
    # skips its reads: only lists showing rows on both sides are compared, and most pages do.
    listed = [key for key, (_, empty) in before.items() if not empty and not after[key][1]]
    assert all(key in listed for key in before if "/signalements/" in key[1])  # the case lists always show rows
    assert len(listed) >= len(before) // 2
    assert {key: after[key][0] for key in listed} == {key: before[key][0] for key in listed}
