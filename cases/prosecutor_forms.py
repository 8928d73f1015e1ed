"""The form of an information of the procureur: when, how, what was shared, and the PDF export of the case
that went with it, chosen among the case's own."""

from django import forms
from django.utils import timezone

from cases.actions.prosecutor import pdf_exports
from cases.models import Case, ProsecutorInformation
from ui.forms import BaseForm, model_fields, with_fields


@with_fields(model_fields(ProsecutorInformation, ["on", "means", "shared"],
                          shared=forms.CharField(label="Ce qui a été transmis (factuel)", max_length=1000,
                                                 widget=forms.Textarea)))
class ProsecutorInformationForm(BaseForm):
    needs_case = True  # the exports offered are the case's

    export_sha256 = forms.ChoiceField(
        label="Export PDF du dossier transmis (facultatif)", required=False,
        help_text="Un export fait depuis « Exporter le dossier en PDF » : son empreinte relie l'information au "
                  "fichier remis au parquet.")

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate
        self.fields["export_sha256"].choices = [("", "Aucun")] + [
            (event.details.get("sha256", ""), f"Export du {timezone.localtime(event.time):%d/%m/%Y à %H:%M} "
                                              f"(empreinte {event.details.get('sha256', '')[:12]}…)")
            for event in pdf_exports(case)]
