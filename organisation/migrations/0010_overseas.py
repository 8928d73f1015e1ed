"""Each territory's representative of the State and time zone; the six collectivités of overseas France
(Saint-Pierre-et-Miquelon, Saint-Barthélemy, Saint-Martin, Wallis-et-Futuna, French Polynesia, New
Caledonia) added. Run again, it changes nothing; reversed, it removes the six (refused while one has a
cellule: a territory in use is never deleted)."""

from django.db import migrations, models

import organisation.models
from organisation.departements import COLLECTIVITES, territories


def add(apps, schema_editor):
    Departement = apps.get_model("organisation", "Departement")
    departements = Departement.objects.using(schema_editor.connection.alias)
    for row in territories():
        code = row.pop("code")
        departements.update_or_create(code=code, defaults=row)


def remove(apps, schema_editor):
    Departement = apps.get_model("organisation", "Departement")
    Departement.objects.using(schema_editor.connection.alias).filter(
        code__in=[code for code, *_ in COLLECTIVITES]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('organisation', '0009_review_rhythm'),
    ]

    operations = [
        migrations.AddField(
            model_name='departement',
            name='representative',
            field=models.CharField(blank=True, db_default='', default='', help_text='Vide : le préfet.', max_length=120, verbose_name="représentant de l'État"),
        ),
        migrations.AddField(
            model_name='departement',
            name='time_zone',
            field=models.CharField(db_default='Europe/Paris', default='Europe/Paris', max_length=40, validators=[organisation.models.validate_time_zone], verbose_name='fuseau horaire'),
        ),
        migrations.RunPython(add, remove),
    ]
