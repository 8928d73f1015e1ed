"""The audit trail's pages at national size: the plan and time of every query they run.

Run by hand on a throwaway PostgreSQL database, migrated and without cellules, that it fills (the test
suite runs it with ``--tiny``, 2,000 events, so that it keeps working):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cellule_pages .venv/bin/python bench/audit_pages.py \
        --events 1000000

The trail is generated in SQL (its hashes are not what is measured): a year of events over the 101
départements, 3,000 people, 21,000 cases, reads and changes, the inspection's own reads, one
integrity check a day. Each page then runs through the very functions its view calls
(``inspection.queries``, ``cases.views.cases.case_events``, ``audit.sealer``); every SQL statement
it sends is explained with ``EXPLAIN (ANALYZE, BUFFERS)``. One JSON line per statement: the page,
the time, the indexes the plan uses, whether it sorts, and the rows it reads.
"""

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DEMO", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

import audit  # noqa: E402
from audit import sealer  # noqa: E402
from audit.models import Event  # noqa: E402
from cases.views.cases import case_events  # noqa: E402
from inspection import queries  # noqa: E402
from inspection.forms import EventSearchForm  # noqa: E402
from organisation.models import Cell, Departement, Institution, Mandate, Membership, Role  # noqa: E402
from ui.counts import CappedPaginator  # noqa: E402

PEOPLE, CASES, DAYS = 3000, 21000, 365

FILL = """
INSERT INTO audit_event (time, actor_id, actor_label, actor_role, actor_cell, ip, request_id, action, object_type,
                         object_id, departement, details, txid)
SELECT %(start)s::timestamptz + g * (interval '1 day' * %(days)s / %(events)s),
       people.ids[1 + g %% %(people)s], 'bench' || (g %% %(people)s), role, code, '192.0.2.1', md5(g::text),
       CASE WHEN role = 'inspector' THEN 'audit.search' WHEN g %% 2 = 0 THEN 'case.view'
            WHEN g %% 7 = 0 THEN 'task.list' WHEN g %% 11 = 0 THEN 'case.assign' ELSE 'case.record_contact' END,
       'cases.case', case_no::text, code,
       jsonb_build_object('signalement', code || '-2026-' || lpad(case_no::text, 5, '0')), g
FROM generate_series(1, %(events)s) AS g,
     LATERAL (SELECT (g::bigint * 7919) %% %(cases)s AS case_no) AS c,
     LATERAL (SELECT (%(codes)s::text[])[1 + case_no %% 101] AS code,
                     CASE WHEN g %% 200 = 0 THEN 'inspector' WHEN g %% 4 = 0 THEN 'coordinator'
                          ELSE 'member' END AS role) AS d,
     (SELECT array_agg(id ORDER BY id) AS ids FROM auth_user WHERE username LIKE 'bench%%') AS people
"""
CHECKS = """
INSERT INTO audit_event (time, actor_label, actor_role, actor_cell, request_id, action, object_type, object_id,
                         departement, details, txid)
SELECT %(start)s::timestamptz + d * interval '1 day', 'verify_audit', '', '', '', 'audit.verify', '', '', '',
       jsonb_build_object('intègre', true), %(events)s + d
FROM generate_series(1, %(days)s) AS d
"""
SEALS = """
INSERT INTO audit_seal (event_id, seq, hash, horizon)
SELECT id, row_number() OVER (ORDER BY id), md5(id::text) || md5(id::text), (SELECT max(txid) + 1 FROM audit_event)
FROM audit_event
"""


def fill(events: int) -> None:
    start = timezone.now() - datetime.timedelta(days=DAYS)
    codes = list(Departement.objects.order_by("code").values_list("code", flat=True))
    get_user_model().objects.bulk_create(get_user_model()(username=f"bench{n}") for n in range(PEOPLE))
    params = {"start": start, "days": DAYS, "events": events, "people": PEOPLE, "cases": CASES, "codes": codes}
    with connection.cursor() as cursor:
        cursor.execute(FILL, params)
        cursor.execute(CHECKS, params)
        cursor.execute(SEALS)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE audit_event")  # what autovacuum does to a table this size
        cursor.execute("VACUUM ANALYZE audit_seal")


def people():
    """An inspector with a mandate on Seine-Saint-Denis for the year, and its cellule's coordinator."""
    today = timezone.localdate()
    seine = Departement.objects.get(code="93")
    inspector = get_user_model().objects.create(username="bench-inspecteur")
    year_ago = today - datetime.timedelta(days=DAYS)
    mandate = Mandate.objects.create(reference="bench", inspector=inspector, starts_on=year_ago, ends_on=today,
                                     reviews_from=year_ago, reviews_until=today, approved_at=timezone.now())
    mandate.departements.set([seine])
    cell = Cell.objects.create(departement=seine, chair_function="prefet", meeting_periodicity="monthly")
    coordinator = get_user_model().objects.create(username="bench-coordination")
    institution = Institution.objects.create(name="Préfecture (banc)", category="state")
    for user, role, where in [(coordinator, Role.COORDINATOR, cell), (inspector, Role.INSPECTOR, None)]:
        Membership.objects.create(user=user, cell=where, institution=institution, function="banc d'essai", role=role,
                                  starts_on=today - datetime.timedelta(days=DAYS))
    return inspector, coordinator


def explain(page: str, run) -> None:
    """Run a page's queries, then explain each statement it sent that reads the trail."""
    with CaptureQueriesContext(connection) as captured:
        run()
    for query in captured.captured_queries:
        if "audit_event" not in query["sql"] or not query["sql"].lstrip().startswith(("SELECT", "WITH")):
            continue  # EXPLAIN ANALYZE runs the statement: only reads are explained
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + query["sql"])
            plan = cursor.fetchone()[0][0]
        nodes = list(walk(plan["Plan"]))
        print(json.dumps({
            "page": page, "ms": round(plan["Execution Time"], 2),
            "indexes": sorted({node["Index Name"] for node in nodes if "Index Name" in node}),
            "seq_scans": sorted({node["Relation Name"] for node in nodes if node["Node Type"] == "Seq Scan"}),
            "sorts": sum(node["Node Type"] == "Sort" for node in nodes),
            "rows_read": sum(node.get("Actual Rows", 0) * node.get("Actual Loops", 1) for node in nodes
                             if "Relation Name" in node),
            "statement": query["sql"][:160],
        }, ensure_ascii=False), flush=True)


def walk(node):
    yield node
    for child in node.get("Plans", []):
        yield from walk(child)


def page_of(events, paginator: type[Paginator] = Paginator) -> None:
    """The first page of a list of events as its view reads it (its paginator: the search's counts a few
    pages ahead only)."""
    page = paginator(events, 50).get_page(1)
    list(page)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--tiny", action="store_true", help="2 000 événements : que le script marche, sans mesurer")
    args = parser.parse_args()
    if args.tiny:
        args.events = 2000
    if connection.vendor != "postgresql":
        sys.exit("Ce banc d'essai mesure PostgreSQL : donnez DATABASE_URL=postgresql://…")
    call_command("migrate", verbosity=0)
    if not Event.objects.exists():
        fill(args.events)
    inspector, coordinator = people()
    try:
        month = timezone.localdate() - datetime.timedelta(days=30)
        reference = Event.objects.filter(departement="93").values_list("details__signalement", flat=True).first()
        person = Event.objects.filter(departement="93").values_list("actor", flat=True).first()

        def search(**criteria):
            form = EventSearchForm(criteria or None, departements=[("93", "Seine-Saint-Denis")])
            if form.is_bound and not form.is_valid():
                sys.exit(f"Critères refusés : {form.errors}")
            return lambda: page_of(queries.search(inspector, form), CappedPaginator)

        explain("recherche, sans critère", search())
        explain("recherche par référence", search(reference=reference))
        explain("recherche par action sur un mois", search(action="case.assign", start=month.isoformat()))
        explain("recherche par utilisateur", search(user="bench7"))
        explain("historique d'un signalement (inspection)", lambda: list(queries.case_timeline(inspector, reference)))
        explain("activité d'une personne", lambda: page_of(queries.user_activity(inspector, get_user_model()(
            pk=person))))
        explain("intégrité", lambda: list(queries.integrity_checks()))
        explain("lectures de l'inspection (coordination)", lambda: page_of(queries.inspection_reads(coordinator)))
        case_id = Event.objects.filter(details__signalement=reference).values_list("object_id", flat=True).first()
        explain("page d'un signalement (historique)", lambda: list(case_events(_Case(case_id))))
        explain("fenêtre de scellement (page d'intégrité)", sealer.unsealed)
        explain("lecture enregistrée puis scellée",
                lambda: (audit.record("case.view", departement="93"), sealer.seal()))
    finally:
        Membership.objects.filter(user__in=[coordinator, inspector]).delete()
        Cell.objects.filter(departement__code="93").delete()
        Institution.objects.filter(name="Préfecture (banc)").delete()
        Mandate.objects.filter(reference="bench").delete()
        get_user_model().objects.filter(username__in=["bench-inspecteur", "bench-coordination"]).delete()


class _Case:
    """What ``case_events`` reads of a case: its id."""

    def __init__(self, pk) -> None:
        self.pk = pk


if __name__ == "__main__":
    main()
