"""Flat at national scale, without timing: every statement of the working pages reads the rows of a
département, a person or a case through an index that narrows to them, never the country's rows.

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

import audit
from cases.models import Case
from demo.national import National
from organisation.models import Membership, Role
from tests.conftest import built_once
from workflows.models import CaseTask

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]

# The tables that grow with the country's cases.
LARGE = {"cases_case", "cases_person", "cases_searchtoken", "cases_family", "cases_relative", "workflows_casetask",
         "viewflow_task", "viewflow_process", "workflows_caseprocess", "audit_event", "audit_seal",
         "cases_caremeasure", "cases_familycontact", "cases_followupnote", "cases_casevisit"}
# An index condition that narrows to a département, a person, a case, an owner or a word.
NARROW = re.compile(r"\b(departement_id|departement|listed_owner_id|owner_id|referent_id|person_id|case_id|"
                    r"task_ptr_id|process_id|user_id|event_id|object_id|actor_id|institution_id|id|token|reference|"
                    r"source_reference)\)? (=|>=|<) ")


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


def test_a_person_s_task_lists_read_a_page_of_their_tasks_in_order(client, generated):
    """The done tab walks the owner's index (owner, status, département, due date) and stops at the page:
    no sort of everything the person ever did, whatever the planner estimates. (My tasks, open ones held
    as assigned or started, two runs of that index, are sorted: as many as the person has in hand.)"""
    (_, member), _ = people_and_pages()  # the member holding most open tasks, who did others
    for user in (member,):
        for url in ("/taches/terminees/",):
            listed = [sql for sql in statements(client, user, url)
                      if "FROM \"workflows_casetask\"" in sql and "LIMIT" in sql and "COUNT(" not in sql]
            assert listed, url
            with connection.cursor() as cursor:
                cursor.execute("SET enable_seqscan = off")
                cursor.execute("SET enable_sort = off")  # a whole sort of the person's tasks is refused if avoidable
                try:
                    cursor.execute(f"EXPLAIN (FORMAT JSON) {listed[0]}")
                    plan = cursor.fetchone()[0]
                finally:
                    cursor.execute("RESET enable_seqscan")
                    cursor.execute("RESET enable_sort")
            plan = json.loads(plan) if isinstance(plan, str) else plan
            nodes = list(scans(plan[0]["Plan"]))
            owner = [node for node in nodes if node.get("Index Name") == "casetask_owner_departement"]
            assert owner and "departement_id" in owner[0]["Index Cond"], (url, owner)
            assert owner[0]["Node Type"] in ("Index Scan", "Index Only Scan"), url  # read in the index's order
            assert not [node for node in nodes if node["Node Type"] == "Sort"], url
