"""The task lists of one person read a page of their tasks in order (the owner's index gains the
département, which the lists filter on); the home counts a cellule's escalated open tasks through an
index of its own instead of the whole country's open tasks.

``workflows_casetask`` is one of the largest tables (1.4 million rows at 200,000 cases): on
PostgreSQL its indexes are built and dropped CONCURRENTLY, outside a transaction, while the running
release reads and writes it (``tests/project/test_migrations.py``, docs/releases.md). The new index
is built before the former one goes, so the lists never lack one.
"""

from django.db import migrations, models

from workflows.concurrently import AddIndexConcurrently, RemoveIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('workflows', '0008_saved_views'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='casetask',
            index=models.Index(fields=['listed_owner', 'listed_status', 'departement', 'due_on'],
                               name='casetask_owner_departement'),
        ),
        RemoveIndexConcurrently(
            model_name='casetask',
            name='casetask_owner',
        ),
        AddIndexConcurrently(
            model_name='casetask',
            index=models.Index(condition=models.Q(('escalated_on__isnull', False),
                                                  ('listed_status__in', ['NEW', 'ASSIGNED', 'STARTED'])),
                               fields=['departement'], name='casetask_escalated'),
        ),
    ]
