"""Support groups (groupes de parole) run by associations, their sessions and participating families."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

import audit
from cases.models import Case
from cellule import actions as cellule
from cellule.models import SupportGroup
from cellule.rules import CelluleRight
from organisation import policy
from organisation.models import Institution
from project.forms import BaseForm


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


def support_groups(request):
    cell = policy.coordinated_cell(request.user, CelluleRight.MANAGE_MEETINGS)
    data = request.POST if request.method == "POST" else None
    group_form = GroupForm(data if data and "create_group" in data else None)
    session_form = SessionForm(data if data and "add_session" in data else None, cell=cell)
    if group_form.is_bound and group_form.is_valid():
        cellule.create_support_group(request.user, cell, **group_form.cleaned_data)
        messages.success(request, "Groupe de parole créé.")
        return redirect("support_groups:list")
    if session_form.is_bound and session_form.is_valid():
        data = session_form.cleaned_data
        cellule.record_support_session(request.user, data["group"], on=data["on"], families=list(data["families"]))
        messages.success(request, "Séance enregistrée.")
        return redirect("support_groups:list")
    groups = SupportGroup.objects.filter(cell=cell).select_related("institution").prefetch_related(
        "sessions__families__person")
    audit.record("support_group.view", departement=cell.departement.code,
                 details={"groupes": [g.pk for g in groups]})
    invalid = group_form.errors or session_form.errors
    return render(request, "support_groups/list.html", {
        "cell": cell, "groups": groups, "group_form": group_form, "session_form": session_form},
        status=400 if invalid else 200)
