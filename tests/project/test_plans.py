"""Flat at national scale, without timing: every statement of the working pages reads the rows of a
département, a person or a case through an index that narrows to them, never the country's rows; and
none reads a whole département's rows to show a page of them (a sort of all of them, or a count without
a cap), nor counts all a person ever did.

On a small data set the planner's choices are its own (a sequential scan of a few pages is cheapest),
so each statement is explained with ``enable_seqscan = off``: what is left is the cheapest plan that
does not read a whole table. It must not need one anyway (a scan PostgreSQL could not avoid stays in
the plan), nor walk a whole index (an index scan with no condition, or one whose only condition is
``IS NULL``, which matches the country's free tasks). ``bench/pages.py`` measures the same pages at
20,000 and 200,000 cases (docs/performance.md).
"""

import json
import re

import pytest
import time_machine
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from viewflow.workflow.status import STATUS

import audit
from cases.models import Case
from demo.national import National
from organisation.models import Membership, Role
from tests.conftest import built_once
from tests.organisation.factories import MandateFactory, MembershipFactory
from workflows import kinds
from workflows.kinds import Queue
from workflows.models import CaseTask

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]

# The tables that grow with the country's cases.
LARGE = {"cases_case", "cases_person", "cases_searchtoken", "cases_family", "cases_relative", "workflows_casetask",
         "viewflow_task", "viewflow_process", "workflows_caseprocess", "audit_event", "audit_seal",
         "cases_caremeasure", "cases_familycontact", "cases_followupnote", "cases_casevisit"}
# An index condition that narrows to a person, a case, an owner or a word: a few rows of a département.
PERSONAL = re.compile(r"\b(listed_owner_id|owner_id|referent_id|person_id|case_id|task_ptr_id|process_id|user_id|"
                      r"event_id|object_id|actor_id|id|token|reference|source_reference)(\)::text)?\)? (=|>=|<) ")
# The same, the person's own rows (whose number grows with their years of work) left out.
SMALL = re.compile(r"\b(person_id|case_id|task_ptr_id|process_id|event_id|object_id|id|token|reference|"
                   r"source_reference)(\)::text)?\)? (=|>=|<) ")
# An index condition that narrows to a département, a person, a case, an owner or a word.
NARROW = re.compile(r"\b(departement_id|departement|listed_owner_id|owner_id|referent_id|person_id|case_id|"
                    r"task_ptr_id|process_id|user_id|event_id|object_id|actor_id|institution_id|id|token|reference|"
                    r"source_reference)(\)::text)?\)? (=|>=|<) ")


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker):
        with audit.acting(label="test"):
            National(cases=150, seed=7, reads=(1, 2), batch=50).run()
        yield


def scans(plan: dict):
    """Every node of a plan, with the table it reads."""
    yield plan
    for child in plan.get("Plans", []):
        yield from scans(child)


def index_tables() -> dict[str, str]:
    """Each index's table (a bitmap index scan names only its index)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, tablename FROM pg_indexes WHERE schemaname = 'public'")
        return dict(cursor.fetchall())


def country_reads(sql: str) -> list[str]:
    """What the statement reads of a large table beyond its département, person or case, as PostgreSQL
    plans it when it may not read a whole table."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
        finally:
            cursor.execute("RESET enable_seqscan")
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found = []
    for node in scans(plan[0]["Plan"]):
        table = node.get("Relation Name") or index_tables().get(node.get("Index Name"), "")
        if node["Node Type"] == "Seq Scan" and table in LARGE:
            found.append(f"{table} entière")
        elif node["Node Type"] in ("Index Scan", "Index Only Scan", "Bitmap Index Scan") and table in LARGE:
            if not NARROW.search(node.get("Index Cond", "")):
                found.append(f"{node['Index Name']} sans condition qui restreigne ({node.get('Index Cond', '')})")
    return found


def explained(sql: str, **settings: str) -> dict:
    """The plan of a statement, as PostgreSQL makes it under ``settings`` (``enable_seqscan="off"``…)."""
    with connection.cursor() as cursor:
        for name, value in settings.items():
            cursor.execute(f"SET {name} = {value}")
        try:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
        finally:
            for name in settings:
                cursor.execute(f"RESET {name}")
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return plan[0]["Plan"]


def below(node: dict):
    """The nodes whose rows ``node`` takes, down to a ``Limit`` (which stops the reading). A subplan is
    not among them: its rows test each row (``EXISTS``), once read for all when hashed."""
    for child in node.get("Plans", []):
        if child["Node Type"] != "Limit" and child.get("Parent Relationship") not in ("SubPlan", "InitPlan"):
            yield child
            yield from below(child)


def whole_lists(sql: str, tables: dict[str, str]) -> list[str]:
    """What the statement reads whole to show a page: a sort above a scan of a département's rows (an
    index that narrows to the département and no further), or an aggregate (a count) above a scan of a
    département's or a person's rows, with no limit between them. Sorts are priced out of the planner's
    choice, as whole scans are: a sort left in the plan is one that no index spares."""
    found = []
    for node in scans(explained(sql, enable_seqscan="off", enable_sort="off")):
        if node["Node Type"] not in ("Sort", "Aggregate"):
            continue
        for scan in below(node):
            table = scan.get("Relation Name") or tables.get(scan.get("Index Name"), "")
            if table not in LARGE or scan["Node Type"] not in ("Index Scan", "Index Only Scan", "Bitmap Index Scan"):
                continue  # (a bitmap's heap scan: its index scan, below it, says what it reads)
            condition = scan.get("Index Cond", "")
            if not (PERSONAL if node["Node Type"] == "Sort" else SMALL).search(condition):
                found.append(f"{node['Node Type']} : {table} par {scan['Index Name']} ({condition})")
    return found


def people_and_pages():
    """The member holding most open tasks, their cellule's coordinator, and the pages they work from."""
    held = (CaseTask.objects.open().filter(listed_owner__memberships__role=Role.MEMBER)
            .values("departement", "listed_owner").annotate(n=Count("pk")).order_by("-n")[0])
    departement = held["departement"]
    cases = Case.objects.filter(departement=departement)
    state = cases.values("state").annotate(n=Count("pk")).order_by("-n")[0]["state"]
    name = cases.select_related("person").first().person.last_name.split()[0]
    people = [Membership.objects.get(cell__departement=departement, role=Role.COORDINATOR).user,
              Membership.objects.get(cell__departement=departement, user_id=held["listed_owner"]).user]
    pages = ["/", "/taches/", "/taches/file/", "/taches/terminees/", "/signalements/", f"/signalements/?state={state}",
             f"/signalements/?q={name}", f"/signalements/?referent={held['listed_owner']}"]
    return people, pages


def statements(client, user, url) -> list[str]:
    client.force_login(user)
    with time_machine.travel(timezone.now(), tick=False):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries
            if query["sql"].lstrip().upper().startswith("SELECT") and "audit_seal_events" not in query["sql"]]


def test_no_statement_of_the_working_pages_reads_the_country(client, generated):
    people, pages = people_and_pages()
    reads = {}
    for user in people:
        for url in pages:
            for sql in statements(client, user, url):
                if found := country_reads(sql):
                    reads[user.username, url, sql[:300]] = found
    assert reads == {}


def test_no_statement_of_the_working_pages_reads_a_whole_list_to_show_a_page(client, generated):
    """The case list (its filters, its search by name) and the task lists read a page in an index's
    order, or sort only the few rows an index narrowed to (a person's tasks in hand, a word's people);
    their paginators, the home's counters and the inspector's search in the trail count up to a cap."""
    people, pages = people_and_pages()
    code = Membership.objects.get(user=people[0], role=Role.COORDINATOR).cell.departement.code
    inspector = MembershipFactory(inspector=True).user
    MandateFactory(inspector=inspector, departements=[code])
    tables = index_tables()
    found = {}
    for user, url in [*((user, url) for user in people for url in pages), (inspector, "/audit/")]:
        for sql in statements(client, user, url):
            if reads := whole_lists(sql, tables):
                found[user.username, url, sql[:300]] = reads
    assert found == {}, "\n".join(f"{where[:2]} {reads}: {where[2]}" for where, reads in found.items())


def queue_people():
    """The coordinator of the cellule with the most free family-contact tasks, and a member of it designated
    to contact families (whose queue holds those tasks alone): the generated set leaves few tasks free."""
    free = CaseTask.objects.filter(listed_status=STATUS.NEW, listed_owner__isnull=True,
                                   flow_task_name__in=kinds.in_queue(Queue.FAMILY_CONTACTS))
    departement = free.values("departement").annotate(n=Count("pk")).order_by("-n")[0]["departement"]
    coordinator = Membership.objects.get(cell__departement=departement, role=Role.COORDINATOR)
    return [coordinator.user, MembershipFactory(cell=coordinator.cell, contacts_families=True).user]


@pytest.mark.parametrize("url", ["/taches/file/", "/taches/terminees/"])
def test_the_team_queue_and_the_done_tab_read_a_page_in_their_order(client, generated, url):
    """The team's queue walks the free tasks' index of the département, the done tab the owner's (owner,
    status, département), each in the list's order, due date then task, and stops at the page: no sort of
    the département's free tasks or of everything the person ever did, nor of each due date's tasks in turn
    (an incremental sort over an index in the order of the due date alone, which ``whole_lists`` lets
    through: the planner prefers a whole sort as the dates fill up). Sorts are priced out here, so what the
    planner is left with says whether an index serves the order. (My tasks, open ones held as assigned or
    started, two runs of the owner's index, are sorted: as many as the person has in hand.)"""
    if url == "/taches/file/":
        people, index = queue_people(), "casetask_queue_in_order"
    else:  # the member holding most open tasks, who did others
        people, index = people_and_pages()[0][1:], "casetask_owner_in_order"
    for user in people:
        listed = [sql for sql in statements(client, user, url)
                  if "FROM \"workflows_casetask\"" in sql and "LIMIT" in sql and "COUNT(" not in sql]
        assert listed, user
        nodes = list(scans(explained(listed[0], enable_seqscan="off", enable_sort="off",
                                     enable_incremental_sort="off")))
        read = [node for node in nodes if node.get("Index Name") == index]
        assert read and "departement_id" in read[0]["Index Cond"], (user, read)
        assert read[0]["Node Type"] in ("Index Scan", "Index Only Scan"), user  # read in the index's order
        assert not [node["Node Type"] for node in nodes if "Sort" in node["Node Type"]], user


def test_the_planner_expects_as_many_free_tasks_as_the_queues_hold(generated):
    """A task waiting in a queue has no holder, which the planner learns from the statistics of the status and
    the owner together (``workflows.0011``). Apart, it multiplies their frequencies and expects a fraction of
    the queue (49 of Seine-Saint-Denis's 310 free tasks at 200,000 cases, 7 of the 157 a member may take):
    it then reads and sorts the whole queue to show a page, rather than walk its index in order and stop."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE workflows_casetask")  # as autovacuum does after the generated set
        free = CaseTask.objects.filter(listed_status=STATUS.NEW, listed_owner__isnull=True)
        sql, params = free.values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    expected = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"]
    assert free.count() / 2 <= expected <= free.count() * 2, (expected, free.count())
