"""The index of the case history that the monthly report reads a month by (``reporting.figures``), kept
with the queries that need it (plans at national size in docs/performance.md): a département's rows by
date, so that a month's changes are read without its past months. A case's state at an instant is
read through the history's own index on the case (about ten rows a case).
"""

from django.db import migrations

MONTH = "reporting_case_history_month"


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial"), ("cases", "0001_initial")]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {MONTH} ON cases_historicalcase (departement_id, history_date)",
                          f"DROP INDEX IF EXISTS {MONTH}"),
    ]
