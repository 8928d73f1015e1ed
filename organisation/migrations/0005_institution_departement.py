"""Institutions belong to a département (none for the national bodies); filled from what is known."""

import re

import django.db.models.deletion
from django.db import migrations, models

CODE_SUFFIX = re.compile(r"\((\d[0-9AB]{1,2})\)\s*$")
NATIONAL = "national_provider"


def fill(apps, schema_editor):
    """The département of each existing institution, where its name or its members say it:
    a "(93)" suffix (the national data set), the département's name in its own ("Préfecture du Rhône"),
    or the one cellule its members all sit in. The others stay national, as they were."""
    db = schema_editor.connection.alias
    Institution = apps.get_model("organisation", "Institution")
    Departement = apps.get_model("organisation", "Departement")
    Membership = apps.get_model("organisation", "Membership")
    departements = list(Departement.objects.using(db).all())
    by_code = {d.code: d for d in departements}
    # Longest names first: "Haute-Savoie" before "Savoie".
    by_name = sorted(departements, key=lambda d: -len(d.name))
    for institution in Institution.objects.using(db).exclude(category=NATIONAL):
        found = None
        match = CODE_SUFFIX.search(institution.name)
        if match:
            found = by_code.get(match.group(1))
        if found is None:
            found = next((d for d in by_name if re.search(rf"\b{re.escape(d.name)}\b", institution.name)), None)
        if found is None:
            cells = set(Membership.objects.using(db).filter(institution=institution, cell__isnull=False)
                        .values_list("cell__departement_id", flat=True))
            national = Membership.objects.using(db).filter(institution=institution, cell__isnull=True).exists()
            if len(cells) == 1 and not national:
                found = next(d for d in departements if d.pk in cells)
        if found is not None:
            Institution.objects.using(db).filter(pk=institution.pk).update(departement=found)


class Migration(migrations.Migration):

    dependencies = [
        ("organisation", "0004_second_factor"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalinstitution",
            name="departement",
            field=models.ForeignKey(blank=True, db_constraint=False, help_text="Vide pour un organisme national.",
                                    null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                                    to="organisation.departement", verbose_name="département"),
        ),
        migrations.AddField(
            model_name="institution",
            name="departement",
            field=models.ForeignKey(blank=True, help_text="Vide pour un organisme national.", null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="institutions",
                                    to="organisation.departement", verbose_name="département"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
