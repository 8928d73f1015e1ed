"""The task lists read one table: the département and copies of viewflow's status and owner on the
task row (``CaseTask``), filled here for the existing tasks, and the indexes the lists use."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FILL = """
UPDATE workflows_casetask SET
    departement_id = (SELECT departement_id FROM {subject} WHERE {subject}.id = workflows_casetask.case_id),
    listed_status = (SELECT status FROM viewflow_task WHERE viewflow_task.id = workflows_casetask.task_ptr_id),
    listed_owner_id = (SELECT owner_id FROM viewflow_task WHERE viewflow_task.id = workflows_casetask.task_ptr_id)
"""


def fill(apps, schema_editor) -> None:
    """The tasks that existed then take their département from their subject (the case)."""
    subject = apps.get_model(settings.WORKFLOWS_SUBJECT_MODEL)
    schema_editor.execute(FILL.format(subject=schema_editor.quote_name(subject._meta.db_table)))


class Migration(migrations.Migration):

    dependencies = [
        ('organisation', '0001_initial'),
        ('workflows', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='casetask',
            name='departement',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to='organisation.departement', verbose_name='département'),
        ),
        migrations.AddField(
            model_name='casetask',
            name='listed_status',
            field=models.CharField(default='', max_length=50, verbose_name='état (copie)'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='casetask',
            name='listed_owner',
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                    to=settings.AUTH_USER_MODEL, verbose_name='détenteur (copie)'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='casetask',
            name='departement',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                    to='organisation.departement', verbose_name='département'),
        ),
        migrations.AlterField(
            model_name='casetask',
            name='due_on',
            field=models.DateField(blank=True, null=True, verbose_name='échéance'),
        ),
        migrations.AddIndex(
            model_name='casetask',
            index=models.Index(condition=models.Q(('listed_status', 'NEW')), fields=['departement', 'due_on'],
                               name='casetask_queue'),
        ),
        migrations.AddIndex(
            model_name='casetask',
            index=models.Index(fields=['listed_owner', 'listed_status', 'due_on'], name='casetask_owner'),
        ),
        migrations.AddIndex(
            model_name='casetask',
            index=models.Index(condition=models.Q(('listed_status__in', ['NEW', 'ASSIGNED', 'STARTED'])),
                               fields=['due_on'], name='casetask_open_due'),
        ),
    ]
