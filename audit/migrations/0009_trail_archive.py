"""Archives of the trail (audit.archives): the only way an event or a seal leaves the database.

On PostgreSQL, DELETE on the events and the seals, refused until now, is allowed for the ranks at or
below the last archive's (``audit_delete_archived_only``), and refused for any other: a row deleted
outside an archive is still refused by the database. UPDATE and TRUNCATE stay refused, and the
archives' table is append-only as the trail is; the application's role may neither insert in it nor
delete anywhere in the trail (project/database.py): archiving runs with the owner's rights.
"""

from collections.abc import Callable

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

INSTALL = """
CREATE OR REPLACE FUNCTION audit_delete_archived_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    boundary bigint := (SELECT coalesce(max(last_seq), 0) FROM audit_trailarchive);
    rank bigint;
BEGIN
    IF TG_TABLE_NAME = 'audit_seal' THEN
        rank := OLD.seq;
    ELSE
        rank := (SELECT seq FROM audit_seal WHERE event_id = OLD.id);
    END IF;
    IF rank IS NULL OR rank > boundary THEN
        RAISE EXCEPTION 'Le journal d''audit est en ajout seul : DELETE refusé sur % hors des rangs archivés.',
            TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
END;
$$;
DROP TRIGGER audit_event_no_update_delete ON audit_event;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
CREATE TRIGGER audit_event_delete_archived_only BEFORE DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_delete_archived_only();
DROP TRIGGER audit_seal_no_update_delete ON audit_seal;
CREATE TRIGGER audit_seal_no_update BEFORE UPDATE ON audit_seal
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
CREATE TRIGGER audit_seal_delete_archived_only BEFORE DELETE ON audit_seal
    FOR EACH ROW EXECUTE FUNCTION audit_delete_archived_only();
CREATE TRIGGER audit_trailarchive_no_update_delete BEFORE UPDATE OR DELETE ON audit_trailarchive
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
CREATE TRIGGER audit_trailarchive_no_truncate BEFORE TRUNCATE ON audit_trailarchive
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
"""

REMOVE = """
DROP TRIGGER audit_event_no_update ON audit_event;
DROP TRIGGER audit_event_delete_archived_only ON audit_event;
CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
DROP TRIGGER audit_seal_no_update ON audit_seal;
DROP TRIGGER audit_seal_delete_archived_only ON audit_seal;
CREATE TRIGGER audit_seal_no_update_delete BEFORE UPDATE OR DELETE ON audit_seal
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
DROP FUNCTION audit_delete_archived_only();
"""


def run(sql: str) -> Callable[[Apps, BaseDatabaseSchemaEditor], None]:
    def operation(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)  # no parameters: the % of RAISE are not placeholders

    return operation


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0008_merkle_tree'),
    ]

    operations = [
        migrations.CreateModel(
            name='TrailArchive',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('first_seq', models.BigIntegerField(verbose_name='premier rang')),
                ('last_seq', models.BigIntegerField(unique=True, verbose_name='dernier rang')),
                ('last_hash', models.CharField(max_length=64, verbose_name='empreinte du dernier rang')),
                ('sha256', models.CharField(max_length=64, verbose_name="empreinte SHA-256 de l'archive")),
                ('name', models.CharField(max_length=200, verbose_name='fichier')),
                ('archived_at', models.DateTimeField(verbose_name='archivé le')),
            ],
            options={
                'verbose_name': "archive du journal d'audit",
                'verbose_name_plural': "archives du journal d'audit",
                'ordering': ['last_seq'],
            },
        ),
        migrations.RunPython(run(INSTALL), run(REMOVE)),
    ]
