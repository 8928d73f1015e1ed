"""Load the 101 départements."""

from django.db import migrations

from organisation.departements import DEPARTEMENTS


def load(apps, schema_editor):
    Departement = apps.get_model("organisation", "Departement")
    rows = [Departement(code=code, name=name) for code, name in DEPARTEMENTS]
    Departement.objects.using(schema_editor.connection.alias).bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("organisation", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
