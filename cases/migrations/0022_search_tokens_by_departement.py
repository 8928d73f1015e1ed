"""The search tokens carry their young person's département, so that a name search starts from the words
of the user's départements (an index on ``(departement, token, person)``) instead of probing each case of
the département for its words.

``cases_searchtoken`` grows with the country (about five rows a young person): the column is added
nullable (no rewrite), filled in batches of young people, each its own transaction (the previous release,
serving during ``migrate``, keeps writing: a batch locks the rows it updates, briefly), then the index is
built and the former one dropped CONCURRENTLY (``tests/project/test_migrations.py``, docs/releases.md).
"""

import django.db.models.deletion
from django.db import migrations, models

from workflows.concurrently import AddIndexConcurrently, RemoveIndexConcurrently

BATCH = 5000  # young people a transaction


def backfill(apps, schema_editor):
    """Each token gets its person's département, a batch of people at a time: no transaction holds the
    whole table, and a migration interrupted resumes where the column is still empty."""
    Person = apps.get_model("cases", "Person")
    SearchToken = apps.get_model("cases", "SearchToken")
    alias = schema_editor.connection.alias
    top = Person.objects.using(alias).aggregate(top=models.Max("pk"))["top"] or 0
    for first in range(0, top + 1, BATCH):
        people = Person.objects.using(alias).filter(pk=models.OuterRef("person_id")).values("departement_id")
        SearchToken.objects.using(alias).filter(
            person_id__gte=first, person_id__lt=first + BATCH, departement__isnull=True,
        ).update(departement_id=models.Subquery(people))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('cases', '0021_prosecutor_information'),
        ('organisation', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='searchtoken',
            name='departement',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to='organisation.departement', verbose_name='département'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        AddIndexConcurrently(
            model_name='searchtoken',
            index=models.Index(fields=['departement', 'token', 'person'], name='search_token_departement'),
        ),
        RemoveIndexConcurrently(
            model_name='searchtoken',
            name='search_token_prefix',
        ),
    ]
