"""The case list reads a page of a département's cases in its order (most recent first), with or without
a state, through an index, instead of reading and sorting all of them; the index of the state alone is
replaced by the one that adds the order. Built and dropped CONCURRENTLY (``cases_case`` grows with the
country; docs/releases.md), the new index before the former one goes."""

from django.db import migrations, models

from workflows.concurrently import AddIndexConcurrently, RemoveIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('cases', '0022_search_tokens_by_departement'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='case',
            index=models.Index(fields=['departement', 'received_on', 'number'], name='case_departement_received'),
        ),
        AddIndexConcurrently(
            model_name='case',
            index=models.Index(fields=['departement', 'state', 'received_on', 'number'],
                               name='case_state_received'),
        ),
        RemoveIndexConcurrently(
            model_name='case',
            name='case_departement_state',
        ),
    ]
