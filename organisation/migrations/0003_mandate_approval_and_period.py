"""A mandate is requested by a national officer and approved by another; it carries the period of
activity it may review apart from its own validity.

Mandates made before keep their dates as the period they review, and count as approved (they were
made by the administration before approval existed); their approver is unknown.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def keep_existing_mandates(apps, schema_editor):
    Mandate = apps.get_model("organisation", "Mandate")
    for mandate in Mandate.objects.using(schema_editor.connection.alias).all():
        mandate.reviews_from, mandate.reviews_until = mandate.starts_on, mandate.ends_on
        mandate.approved_at = timezone.now()
        mandate.save(update_fields=["reviews_from", "reviews_until", "approved_at"])


class Migration(migrations.Migration):

    dependencies = [
        ("organisation", "0002_departements"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(name="mandate", options={
            "ordering": ["-starts_on"], "verbose_name": "mandat d'inspection",
            "verbose_name_plural": "mandats d'inspection"}),
        migrations.AlterField(model_name="mandate", name="starts_on", field=models.DateField(verbose_name="valide du")),
        migrations.AlterField(model_name="mandate", name="ends_on",
                              field=models.DateField(verbose_name="valide jusqu'au")),
        migrations.AddField(model_name="mandate", name="reviews_from",
                            field=models.DateField(null=True, verbose_name="période examinée, du")),
        migrations.AddField(model_name="mandate", name="reviews_until",
                            field=models.DateField(null=True, verbose_name="période examinée, au")),
        migrations.AddField(model_name="mandate", name="requested_by", field=models.ForeignKey(
            blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
            to=settings.AUTH_USER_MODEL, verbose_name="demandé par")),
        migrations.AddField(model_name="mandate", name="approved_by", field=models.ForeignKey(
            blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
            to=settings.AUTH_USER_MODEL, verbose_name="approuvé par")),
        migrations.AddField(model_name="mandate", name="approved_at",
                            field=models.DateTimeField(blank=True, null=True, verbose_name="approuvé le")),
        migrations.RunPython(keep_existing_mandates, migrations.RunPython.noop),
        migrations.AlterField(model_name="mandate", name="reviews_from",
                              field=models.DateField(verbose_name="période examinée, du")),
        migrations.AlterField(model_name="mandate", name="reviews_until",
                              field=models.DateField(verbose_name="période examinée, au")),
        migrations.AddConstraint(model_name="mandate", constraint=models.CheckConstraint(
            condition=models.Q(("reviews_until__gte", models.F("reviews_from"))), name="mandate_reviewed_period")),
    ]
