"""Events are written unchained and sealed afterwards (``audit.sealer``): the rank and hash move to
the seals; each event keeps its transaction's id. The indexes are those the pages and the sealer use.

A trail written before keeps its events; the first run of the sealer seals them again, in their old
order (their ids), with digests made from their columns as the database gives them back.
Checkpoints signed before this migration name hashes that no longer exist: take one right after it
(``manage.py audit_checkpoint``) and keep the older ones with the trail they attest.
"""

from collections.abc import Callable

import django.db.models.deletion
from django.apps.registry import Apps
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

import audit.models

SEAL_TRIGGERS = """
CREATE TRIGGER audit_seal_no_update_delete BEFORE UPDATE OR DELETE ON audit_seal
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
CREATE TRIGGER audit_seal_no_truncate BEFORE TRUNCATE ON audit_seal
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
"""

REMOVE_SEAL_TRIGGERS = """
DROP TRIGGER IF EXISTS audit_seal_no_truncate ON audit_seal;
DROP TRIGGER IF EXISTS audit_seal_no_update_delete ON audit_seal;
"""


def run(sql: str) -> Callable[[Apps, BaseDatabaseSchemaEditor], None]:
    def operation(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return operation


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only_triggers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Seal',
            fields=[
                ('event', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='seal', serialize=False, to='audit.event', verbose_name='événement')),
                ('seq', models.BigIntegerField(unique=True, verbose_name='rang dans la chaîne')),
                ('hash', models.CharField(max_length=64, verbose_name='empreinte')),
                ('horizon', models.BigIntegerField(blank=True, null=True, verbose_name='horizon des transactions')),
            ],
            options={
                'verbose_name': 'scellement',
                'verbose_name_plural': 'scellements',
                'ordering': ['seq'],
            },
        ),
        migrations.AlterModelOptions(
            name='event',
            options={'ordering': ['id'], 'verbose_name': "événement d'audit", 'verbose_name_plural': "événements d'audit"},
        ),
        migrations.RemoveField(
            model_name='event',
            name='hash',
        ),
        migrations.RemoveField(
            model_name='event',
            name='seq',
        ),
        migrations.AddField(
            model_name='event',
            name='txid',
            field=models.BigIntegerField(blank=True, db_default=audit.models.TransactionId(), null=True, verbose_name='transaction'),
        ),
        migrations.AlterField(
            model_name='event',
            name='action',
            field=models.CharField(max_length=64, verbose_name='action'),
        ),
        migrations.AlterField(
            model_name='event',
            name='actor',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='auteur'),
        ),
        migrations.AlterField(
            model_name='event',
            name='request_id',
            field=models.CharField(blank=True, max_length=32, verbose_name='identifiant de requête'),
        ),
        migrations.AlterField(
            model_name='event',
            name='time',
            field=models.DateTimeField(verbose_name='date et heure'),
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(condition=models.Q(('action', 'audit.verify')), fields=['time'], name='audit_event_checks'),
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(fields=['txid'], name='audit_event_txid'),
        ),
        migrations.RemoveIndex(
            model_name='event',
            name='audit_event_object',
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(fields=['object_type', 'object_id', 'time'], name='audit_event_object'),
        ),
        migrations.RunPython(run(SEAL_TRIGGERS), run(REMOVE_SEAL_TRIGGERS)),
    ]
