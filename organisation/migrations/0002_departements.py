"""Load the 101 départements and create one group per role (their permissions are synchronised
after every migrate by ``organisation.roles.sync_role_groups``)."""

from django.db import migrations

from organisation.departements import DEPARTEMENTS

ROLES = ["coordinator", "member", "mobile_team", "inspector", "national", "admin"]


def load(apps, schema_editor):
    Departement = apps.get_model("organisation", "Departement")
    Departement.objects.bulk_create([Departement(code=code, name=name) for code, name in DEPARTEMENTS])
    Group = apps.get_model("auth", "Group")
    for role in ROLES:
        Group.objects.get_or_create(name=f"role:{role}")


class Migration(migrations.Migration):
    dependencies = [("organisation", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
