"""Forms of the cellule's life: scheduling a meeting, support groups and their sessions, a family's
interview requests (on the case page)."""

from django import forms

from cases.models import Case
from cellule.models import InterviewRequest, SupportGroup
from organisation.models import Cell, Institution
from project.forms import BaseForm, form_class, model_fields

InterviewRequestForm = form_class("InterviewRequestForm", model_fields(
    InterviewRequest, ["with_whom", "requested_by", "channel", "requested_on"]))
InterviewUpdateForm = form_class("InterviewUpdateForm", model_fields(
    InterviewRequest, ["status", "scheduled_at", "held_on", "outcome"],
    scheduled_at=forms.DateTimeField(label="Programmé le", required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))))


class ScheduleForm(BaseForm):
    held_at = forms.DateTimeField(label="Date et heure", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    cases = forms.ModelMultipleChoiceField(label="Signalements à revoir", queryset=Case.objects.none(),
                                           required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, cell: Cell, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = (Case.objects.open().filter(departement=cell.departement)
                                         .select_related("person").order_by("reference"))
        self.fields["cases"].label_from_instance = lambda case: f"{case.reference} — {case.get_state_display()}"


class GroupForm(BaseForm):
    name = forms.CharField(label="Nom du groupe", max_length=200)
    institution = forms.ModelChoiceField(label="Association", empty_label="— choisir —",
                                         queryset=Institution.objects.filter(category="association"))


class SessionForm(BaseForm):
    group = forms.ModelChoiceField(label="Groupe", queryset=SupportGroup.objects.none(), empty_label="— choisir —")
    on = forms.DateField(label="Date de la séance", widget=forms.DateInput(attrs={"type": "date"}))
    families = forms.ModelMultipleChoiceField(label="Familles participantes", queryset=Case.objects.none(),
                                              required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, cell, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = SupportGroup.objects.filter(cell=cell)
        self.fields["families"].queryset = (Case.objects.filter(departement=cell.departement)
                                            .select_related("person").order_by("reference"))
        self.fields["families"].label_from_instance = lambda case: f"{case.reference} — famille {case.person.last_name}"
