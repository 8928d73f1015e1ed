"""The planner learns that a task waiting in a queue has no holder: statistics of the status and the owner
together (PostgreSQL's extended statistics, their most common pairs).

Apart, it multiplied their frequencies (17 % of the tasks have no holder, 2 % are new: every new one) and
expected 49 of the 310 free tasks of Seine-Saint-Denis at 200,000 cases, 7 of the 157 a member may take: it
read them all, joined each to its case and young person, and sorted them to show 25 (2,510 buffers), where
the queue's index in the list's order gives the page and stops (400). ``CREATE STATISTICS`` takes a lock
that lets reads and writes through and scans nothing; ``ANALYZE`` then fills them from a sample (0.4 s at
1.4 million tasks), as autovacuum does after. SQLite has no such thing: nothing there.
"""

from django.db import migrations

STATISTICS = "casetask_status_owner"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE STATISTICS {STATISTICS} (mcv) ON listed_status, listed_owner_id "
                              "FROM workflows_casetask")
        schema_editor.execute("ANALYZE workflows_casetask")  # fills them now, as autovacuum would later


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS {STATISTICS}")


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0011_task_indexes_in_the_lists_order'),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
