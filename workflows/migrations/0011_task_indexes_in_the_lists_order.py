"""The team's queue and a person's task lists read a page in their order, (due date, task), through an index
that ends with both: the queue's index and the owner's gain the task's key as their last column.

With the due date alone, the planner read every free task of the département (every task the person held,
for the done tab) and sorted them to show 25, or sorted each due date's tasks in turn (an incremental
sort): rows that grow with the file (the queue's 4,632 buffers at 200,000 cases). The new indexes are built
CONCURRENTLY (``workflows_casetask`` is one of the largest tables; docs/releases.md), each before the one it
replaces goes, so that the lists never lack one.
"""

from django.db import migrations, models

from workflows.concurrently import AddIndexConcurrently, RemoveIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('workflows', '0010_former_holders'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='casetask',
            index=models.Index(condition=models.Q(('listed_status', 'NEW')), fields=['departement', 'due_on', 'task_ptr'],
                               name='casetask_queue_in_order'),
        ),
        RemoveIndexConcurrently(
            model_name='casetask',
            name='casetask_queue',
        ),
        AddIndexConcurrently(
            model_name='casetask',
            index=models.Index(fields=['listed_owner', 'listed_status', 'departement', 'due_on', 'task_ptr'],
                               name='casetask_owner_in_order'),
        ),
        RemoveIndexConcurrently(
            model_name='casetask',
            name='casetask_owner_departement',
        ),
    ]
