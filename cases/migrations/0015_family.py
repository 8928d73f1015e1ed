"""The family: a young person belongs to one (``Person.family``), and the relatives belong to the family
rather than to one case, so that siblings' cases share one record of their mother. Each existing
person gets a family of their own, with the relatives of their cases (and the phonetic key of their
surname, by which a sibling's intake finds them); none is merged here (the
coordinators decide which young people are siblings, at the next intake or by hand). The relatives'
history rows follow their relative."""

import django.db.models.deletion
from django.db import migrations, models

from cases.names import phonetic


def forwards(apps, schema_editor):
    alias = schema_editor.connection.alias
    Family, Person = apps.get_model("cases", "Family"), apps.get_model("cases", "Person")
    Case, Relative = apps.get_model("cases", "Case"), apps.get_model("cases", "Relative")
    HistoricalPerson = apps.get_model("cases", "HistoricalPerson")
    HistoricalRelative = apps.get_model("cases", "HistoricalRelative")
    for person in Person.objects.using(alias).order_by("pk").iterator(chunk_size=2000):
        family = Family.objects.using(alias).create(departement_id=person.departement_id)
        Person.objects.using(alias).filter(pk=person.pk).update(family_id=family.pk)
        HistoricalPerson.objects.using(alias).filter(id=person.pk).update(family_id=family.pk)
    families = dict(Case.objects.using(alias).values_list("pk", "person__family_id"))
    for relative in Relative.objects.using(alias).order_by("pk").iterator(chunk_size=2000):
        Relative.objects.using(alias).filter(pk=relative.pk).update(family_id=families[relative.case_id],
                                                                    phonetic_last=phonetic(relative.last_name))
    for case, family in families.items():
        HistoricalRelative.objects.using(alias).filter(case_id=case).update(family_id=family)


def backwards(apps, schema_editor):
    """Back to relatives per case: each relative goes to the latest case of their family's young people,
    a copy to each other case."""
    alias = schema_editor.connection.alias
    Case, Relative = apps.get_model("cases", "Case"), apps.get_model("cases", "Relative")
    for relative in Relative.objects.using(alias).order_by("pk").iterator(chunk_size=2000):
        cases = list(Case.objects.using(alias).filter(person__family_id=relative.family_id)
                     .order_by("-received_on", "-pk").values_list("pk", flat=True))
        Relative.objects.using(alias).filter(pk=relative.pk).update(case_id=cases[0])
        for case in cases[1:]:
            relative.pk, relative.case_id = None, case
            relative.save(using=alias)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0014_person_merges"),
        ("organisation", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Family",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("departement", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                  to="organisation.departement", verbose_name="département")),
                ("copied_from", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                                  related_name="+", to="cases.family",
                                                  verbose_name="transférée depuis")),
            ],
            options={"verbose_name": "famille"},
        ),
        migrations.AddField("person", "family", models.ForeignKey(
            null=True, on_delete=django.db.models.deletion.PROTECT, related_name="young_people", to="cases.family",
            verbose_name="famille")),
        migrations.AddField("historicalperson", "family", models.ForeignKey(
            blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING,
            related_name="+", to="cases.family", verbose_name="famille")),
        migrations.AddField("relative", "family", models.ForeignKey(
            null=True, on_delete=django.db.models.deletion.PROTECT, related_name="relatives", to="cases.family",
            verbose_name="famille")),
        migrations.AddField("historicalrelative", "family", models.ForeignKey(
            blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING,
            related_name="+", to="cases.family", verbose_name="famille")),
        # The relatives' case is kept nullable until the data moved, so that the way back can refill it.
        migrations.AlterField("relative", "case", models.ForeignKey(
            null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="cases.case",
            verbose_name="signalement")),
        migrations.AddField("relative", "phonetic_last", models.CharField(
            blank=True, editable=False, max_length=100, verbose_name="clé phonétique du nom")),
        migrations.AddIndex("relative", models.Index(fields=["phonetic_last"], name="relative_phonetic_last")),
        migrations.AddField("personmerge", "relatives", models.JSONField(default=list, verbose_name="proches déplacés")),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField("historicalrelative", "case"),
        migrations.RemoveField("relative", "case"),
        migrations.AlterField("person", "family", models.ForeignKey(
            on_delete=django.db.models.deletion.PROTECT, related_name="young_people", to="cases.family",
            verbose_name="famille")),
        migrations.AlterField("relative", "family", models.ForeignKey(
            on_delete=django.db.models.deletion.PROTECT, related_name="relatives", to="cases.family",
            verbose_name="famille")),
    ]
