"""The Merkle tree's nodes (audit.tree): append-only as the trail is, and built for the trail already sealed.

The nodes of an existing trail are computed from its events, as the sealer computes them from now on
(audit.tree.extend, given the historical models): a trail of a million events takes a few minutes.
"""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from audit import tree

APPEND_ONLY = """
CREATE TRIGGER audit_treenode_no_update_delete BEFORE UPDATE OR DELETE ON audit_treenode
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
CREATE TRIGGER audit_treenode_no_truncate BEFORE TRUNCATE ON audit_treenode
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
"""


def build(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    using = schema_editor.connection.alias
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(APPEND_ONLY)
    tree.extend(using, apps.get_model("audit", "Seal"), apps.get_model("audit", "TreeNode"))


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0007_failure_tally'),
    ]

    operations = [
        migrations.CreateModel(
            name='TreeNode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.PositiveSmallIntegerField(verbose_name='niveau')),
                ('index', models.BigIntegerField(verbose_name='position')),
                ('hash', models.BinaryField(max_length=32, verbose_name='empreinte')),
            ],
            options={
                'verbose_name': "nœud de l'arbre de Merkle",
                'verbose_name_plural': "nœuds de l'arbre de Merkle",
                'constraints': [models.UniqueConstraint(fields=('level', 'index'), name='audit_treenode_one_per_place')],
            },
        ),
        # Backwards, the table is dropped with its triggers.
        migrations.RunPython(build, migrations.RunPython.noop),
    ]
