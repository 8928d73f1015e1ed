"""The inspectors' search form."""

from django import forms
from django.contrib.auth import get_user_model

from audit import events as event_types
from inspection.rules import about_case, within_days
from ui.forms import DATE, BaseForm, RememberedField


class EventSearchForm(BaseForm):
    bound_field_class = RememberedField  # the same fields for every inspector, the trail's 126 event types among them

    departement = forms.ChoiceField(label="Département", required=False)
    reference = forms.CharField(label="Référence du signalement", max_length=20, required=False)
    user = forms.CharField(label="Utilisateur (identifiant)", max_length=150, required=False)
    action = forms.ChoiceField(label="Événement", required=False)
    start = forms.DateField(label="Du", required=False, widget=DATE)
    end = forms.DateField(label="Au", required=False, widget=DATE)

    def __init__(self, *args, departements: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [("", "Tous ceux du mandat"), *departements]
        types = sorted(event_types.registered(), key=event_types.label)
        self.fields["action"].choices = [("", "Tous"), *((action, event_types.label(action)) for action in types)]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "La fin de la période précède son début.")
        return data

    def filter(self, events):
        """The events matching the valid criteria (the form must have been validated)."""
        data = self.cleaned_data
        if data.get("departement"):
            events = events.filter(departement=data["departement"])
        if data.get("reference"):
            events = events.filter(about_case(data["reference"].strip()))
        if data.get("user"):
            # A person's events by their account (an index), a command's or the system's by their label.
            username = data["user"].strip()
            person = get_user_model().objects.filter(username=username).first()
            events = events.filter(actor=person) if person else events.filter(actor_label=username)
        if data.get("action"):
            events = events.filter(action=data["action"])
        return events.filter(within_days(data.get("start"), data.get("end")))
