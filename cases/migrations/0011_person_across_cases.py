"""A young person is one record of a département, shared by every case about them: the case points to
its person (``Case.person``) instead of the person to its one case. Each existing person keeps its row
and becomes the person of the case it was made for; none is merged here (the coordinators decide which
records are the same young person)."""

import django.db.models.deletion
from django.db import migrations, models


def forwards(apps, schema_editor):
    alias = schema_editor.connection.alias
    Person, Case = apps.get_model("cases", "Person"), apps.get_model("cases", "Case")
    for person in Person.objects.using(alias).select_related("case").only("case__departement_id").iterator(
            chunk_size=2000):
        Person.objects.using(alias).filter(pk=person.pk).update(departement_id=person.case.departement_id)
        Case.objects.using(alias).filter(pk=person.case_id).update(person_id=person.pk)


def backwards(apps, schema_editor):
    """Back to one person per case: a person shared by several cases is copied for each case after the first."""
    alias = schema_editor.connection.alias
    Person, Case = apps.get_model("cases", "Person"), apps.get_model("cases", "Case")
    seen = set()
    for case in Case.objects.using(alias).order_by("pk").iterator(chunk_size=2000):
        person = Person.objects.using(alias).get(pk=case.person_id)
        if person.pk in seen:
            person.pk = None
        seen.add(case.person_id)
        person.case_id = case.pk
        person.save(using=alias)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0010_event_texts"),
        ("organisation", "0001_initial"),
    ]

    operations = [
        # The person's accessor on the case is freed for the case's own field.
        migrations.AlterField("person", "case", models.OneToOneField(
            null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="cases.case",
            verbose_name="signalement")),
        migrations.AddField("person", "departement", models.ForeignKey(
            null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="organisation.departement",
            verbose_name="département")),
        migrations.AddField("historicalperson", "departement", models.ForeignKey(
            blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING,
            related_name="+", to="organisation.departement", verbose_name="département")),
        migrations.AddField("case", "person", models.ForeignKey(
            null=True, on_delete=django.db.models.deletion.PROTECT, related_name="cases", to="cases.person",
            verbose_name="jeune")),
        migrations.AddField("historicalcase", "person", models.ForeignKey(
            blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING,
            related_name="+", to="cases.person", verbose_name="jeune")),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField("historicalperson", "case"),
        migrations.RemoveField("person", "case"),
        migrations.AlterField("person", "departement", models.ForeignKey(
            on_delete=django.db.models.deletion.PROTECT, related_name="+", to="organisation.departement",
            verbose_name="département")),
        migrations.AlterField("case", "person", models.ForeignKey(
            on_delete=django.db.models.deletion.PROTECT, related_name="cases", to="cases.person",
            verbose_name="jeune")),
    ]
