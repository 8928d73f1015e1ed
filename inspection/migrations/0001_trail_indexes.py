"""The two indexes of the trail that only the inspection's pages use, kept with the queries that
need them (``inspection.queries``; plans at national size in docs/performance.md):

- the events that name a case (``details -> 'signalement'``), for a case's timeline and the search
  by reference (PostgreSQL; the SQLite demo has no use for it);
- the inspection's own reads by département and time, for the coordinators' page: a small partial
  index, where the département's index would scan every event to find the rare inspector's.
"""

from django.db import migrations

NAMES_A_CASE = "CREATE INDEX IF NOT EXISTS inspection_event_signalement ON audit_event ((details -> 'signalement'))"
INSPECTORS_READS = ("CREATE INDEX IF NOT EXISTS inspection_event_reads ON audit_event (departement, time) "
                    "WHERE actor_role = 'inspector'")


def create(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(NAMES_A_CASE)
        cursor.execute(INSPECTORS_READS)


def drop(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS inspection_event_signalement")
        cursor.execute("DROP INDEX IF EXISTS inspection_event_reads")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_seals")]

    operations = [migrations.RunPython(create, drop)]
