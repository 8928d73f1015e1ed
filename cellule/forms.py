"""Forms of the cellule's life: scheduling and recording a meeting, support groups and their sessions,
a family's interview requests (on the case page)."""

from django import forms
from dsfr.widgets import InlineRadioSelect

from cases.models import Case
from cellule.models import Attendance, InterviewRequest, Meeting, MeetingItem, SupportGroup
from organisation.models import Cell, Institution
from ui.forms import BaseForm, model_fields, with_fields

# The largest id a database's integer column holds: beyond it SQLite fails and PostgreSQL refuses the query.
LARGEST_ID = 2**63 - 1


class CasesField(forms.ModelMultipleChoiceField):
    """Cases ticked in a list. An id too large for the database is refused as any unknown id is: Django
    checks each id alone (an exact lookup knows the column's range), then asks for them all at once
    with ``IN``, which does not."""

    def clean(self, value):
        for pk in value if isinstance(value, list | tuple) else []:
            if isinstance(pk, str) and pk.strip().lstrip("-").isdigit() and abs(int(pk)) > LARGEST_ID:
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                            params={"pk": pk})
        return super().clean(value)


@with_fields(model_fields(InterviewRequest, ["with_whom", "requested_by", "channel", "requested_on"]))
class InterviewRequestForm(BaseForm):
    """A family's request to meet the préfet, the directeur de cabinet or the référent."""


@with_fields(model_fields(InterviewRequest, ["status", "scheduled_at", "held_on", "outcome"]))
class InterviewUpdateForm(BaseForm):
    """The interview scheduled, held or ended."""

    scheduled_at = forms.DateTimeField(label="Programmé le", required=False,
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class ScheduleForm(BaseForm):
    held_at = forms.DateTimeField(label="Date et heure", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    cases = CasesField(label="Signalements à revoir", queryset=Case.objects.none(), required=False,
                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, cell: Cell, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = (Case.objects.open().filter(departement=cell.departement)
                                         .select_related("person").order_by("reference"))
        self.fields["cases"].label_from_instance = lambda case: f"{case.reference} — {case.get_state_display()}"


class MeetingForm(BaseForm):
    """The record of a meeting: a decision per agenda item, each member's presence (none until someone
    records one), the minutes; and, to close the meeting, the confirmation that it freezes them."""

    minutes = forms.CharField(label="Compte rendu", max_length=10000, required=False,
                              widget=forms.Textarea(attrs={"rows": 8}))
    confirm_close = forms.BooleanField(
        label="Je confirme la clôture : le compte rendu, les décisions et les présences seront figés.",
        required=False)

    def __init__(self, *args, meeting: Meeting, items: list[MeetingItem], members: list, presence: dict[int, str],
                 closing: bool = False, **kwargs):
        super().__init__(*args, initial={"minutes": meeting.minutes}, **kwargs)
        self.items, self.members, self.closing = items, members, closing
        for item in items:
            self.fields[f"decision-{item.pk}"] = forms.CharField(
                label=f"{item.case.reference} — {item.case.person} ({item.case.get_state_display()})",
                max_length=1000, required=False, initial=item.decision)
        for member in members:
            self.fields[f"presence-{member.pk}"] = forms.ChoiceField(
                label=f"{member.user.get_full_name()} — {member.institution}", choices=Attendance.Presence.choices,
                required=False, widget=InlineRadioSelect, initial=presence.get(member.pk, ""))
        if meeting.status == Meeting.Status.CLOSED:
            for field in self.fields.values():
                field.disabled = True

    def decisions(self) -> list:
        return [(item, self[f"decision-{item.pk}"]) for item in self.items]

    def presences(self) -> list:
        return [self[f"presence-{member.pk}"] for member in self.members]

    def clean(self):
        data = super().clean()
        if self.closing and not data.get("confirm_close"):
            self.add_error("confirm_close", "Cochez la case pour confirmer la clôture : elle fige le compte rendu.")
        return data

    def record(self) -> dict:
        """The arguments of ``cellule.actions.record_meeting`` (the form must be valid)."""
        data = self.cleaned_data
        return {"minutes": data["minutes"],
                "decisions": {item.pk: data[f"decision-{item.pk}"] for item in self.items},
                "attendance": {m.pk: data[f"presence-{m.pk}"] for m in self.members if data[f"presence-{m.pk}"]}}


class GroupForm(BaseForm):
    name = forms.CharField(label="Nom du groupe", max_length=200)
    institution = forms.ModelChoiceField(label="Association", empty_label="— choisir —", queryset=Institution.objects)

    def __init__(self, *args, cell, **kwargs):
        """The associations of the cellule's département, and the national ones."""
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.serving(cell.departement_id).filter(
            category=Institution.Category.ASSOCIATION)


class SessionForm(BaseForm):
    group = forms.ModelChoiceField(label="Groupe", queryset=SupportGroup.objects.none(), empty_label="— choisir —")
    on = forms.DateField(label="Date de la séance", widget=forms.DateInput(attrs={"type": "date"}))
    families = CasesField(label="Familles participantes", queryset=Case.objects.none(), required=False,
                          widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, cell, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = SupportGroup.objects.filter(cell=cell)
        self.fields["families"].queryset = (Case.objects.filter(departement=cell.departement)
                                            .select_related("person").order_by("reference"))
        self.fields["families"].label_from_instance = lambda case: f"{case.reference} — famille {case.person.last_name}"
