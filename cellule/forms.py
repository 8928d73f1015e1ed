"""Forms of the cellule's life: scheduling and recording a meeting, support groups and their sessions,
a family's interview requests (on the case page), the exchanges with a local prevention body."""

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone
from dsfr.widgets import InlineRadioSelect

from cases.models import Case
from cellule import agenda
from cellule.models import (
    MAX_OTHER_PARENTS,
    Attendance,
    Exchange,
    InterviewRequest,
    Meeting,
    MeetingItem,
    SupportGroup,
)
from organisation.models import Cell, Institution, Membership
from ui.forms import DATE, BaseForm, model_fields, with_fields

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
    """A family's request to meet the préfet (the haut-commissaire…), the directeur de cabinet or the référent."""

    needs_case = True  # whom the family may meet is said as in the case's territory

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["with_whom"].choices = InterviewRequest.with_whom_choices(case.departement)


@with_fields(model_fields(InterviewRequest, ["status", "scheduled_at", "held_on", "outcome"]))
class InterviewUpdateForm(BaseForm):
    """The interview scheduled, held or ended."""

    scheduled_at = forms.DateTimeField(label="Programmé le", required=False,
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class ScheduleForm(BaseForm):
    held_at = forms.DateTimeField(label="Date et heure", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    cases = CasesField(label="Autres signalements à inscrire", queryset=Case.objects.none(), required=False,
                       widget=forms.CheckboxSelectMultiple,
                       help_text="L'ordre du jour est proposé : revues dues avant la réunion, nouveaux signalements "
                                 "depuis la dernière, propositions de clôture, transferts en attente, réponses de "
                                 "l'équipe mobile. Vous le modifiez ensuite sur la page de la réunion.")

    def __init__(self, *args, cell: Cell, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = (Case.objects.open().filter(departement=cell.departement)
                                         .select_related("person").order_by("reference"))
        self.fields["cases"].label_from_instance = lambda case: f"{case.reference} — {case.get_state_display()}"


class AgendaForm(BaseForm):
    """A planned meeting's date and agenda, which the coordinator edits: each open case of the cellule
    as its agenda line (initials, référent, state, last review, why it is proposed)."""

    held_at = forms.DateTimeField(label="Date et heure", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    cases = CasesField(label="Signalements à l'ordre du jour", queryset=Case.objects.none(), required=False,
                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, meeting: Meeting, proposed: dict[int, list[str]], **kwargs):
        on_agenda = list(meeting.items.values_list("case_id", flat=True))
        super().__init__(*args, initial={"held_at": timezone.localtime(meeting.held_at).strftime("%Y-%m-%dT%H:%M"),
                                         "cases": on_agenda}, **kwargs)
        open_cases = Case.objects.open().filter(departement_id=meeting.cell.departement_id)
        queryset = (open_cases | Case.objects.filter(pk__in=on_agenda)).distinct()
        reasons = {**proposed, **{item.case_id: item.reasons for item in meeting.items.all()}}
        lines = {line.case.pk: line for line in agenda.lines(queryset, reasons)}
        self.fields["cases"].queryset = queryset.order_by("reference")
        self.fields["cases"].label_from_instance = lambda case: str(lines[case.pk]) if case.pk in lines else str(case)


class MeetingForm(BaseForm):
    """The record of a meeting: a decision per agenda item (outcome, who follows it up, by when, a factual
    note), each member's presence (none until someone records one), the minutes; and, to close the
    meeting, the confirmation that it freezes them."""

    minutes = forms.CharField(label="Compte rendu", max_length=10000, required=False,
                              widget=forms.Textarea(attrs={"rows": 8}))
    confirm_close = forms.BooleanField(
        label="Je confirme la clôture : le compte rendu, les décisions et les présences seront figés ; chaque "
              "décision devient la tâche de la personne chargée de la suite.",
        required=False)

    def __init__(self, *args, meeting: Meeting, items: list[MeetingItem], members: list, presence: dict[int, str],
                 closing: bool = False, **kwargs):
        super().__init__(*args, initial={"minutes": meeting.minutes}, **kwargs)
        self.items, self.members, self.closing = items, members, closing
        owners = User.objects.filter(pk__in=[member.user_id for member in members]).order_by("last_name", "first_name")
        for item in items:
            case = item.case
            self.fields[f"outcome-{item.pk}"] = forms.ChoiceField(
                label=f"Décision — {case.reference}", required=False, initial=item.outcome,
                choices=[("", "— pas de décision —"), *MeetingItem.Outcome.choices])
            self.fields[f"owner-{item.pk}"] = forms.ModelChoiceField(
                label=f"Chargé de la suite — {case.reference}", queryset=owners, required=False,
                initial=item.owner_id, empty_label="— choisir —")
            self.fields[f"owner-{item.pk}"].label_from_instance = lambda user: user.get_full_name()
            self.fields[f"due_on-{item.pk}"] = forms.DateField(
                label=f"Pour le — {case.reference}", required=False, initial=item.due_on,
                widget=forms.DateInput(attrs={"type": "date"}))
            self.fields[f"decision-{item.pk}"] = forms.CharField(
                label=f"Note (factuelle) — {case.reference}", max_length=1000, required=False, initial=item.decision)
        for member in members:
            self.fields[f"presence-{member.pk}"] = forms.ChoiceField(
                label=f"{member.user.get_full_name()} — {member.institution}", choices=Attendance.Presence.choices,
                required=False, widget=InlineRadioSelect, initial=presence.get(member.pk, ""))

    def decisions(self) -> list:
        """Each item with its four fields."""
        return [(item, [self[f"{name}-{item.pk}"] for name in ("outcome", "owner", "due_on", "decision")])
                for item in self.items]

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
                "decisions": {item.pk: {"outcome": data[f"outcome-{item.pk}"], "owner": data[f"owner-{item.pk}"],
                                        "due_on": data[f"due_on-{item.pk}"], "note": data[f"decision-{item.pk}"]}
                              for item in self.items},
                "attendance": {m.pk: data[f"presence-{m.pk}"] for m in self.members if data[f"presence-{m.pk}"]}}


class DecisionDoneForm(BaseForm):
    note = forms.CharField(label="Ce qui a été fait (factuel)", max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class GroupForm(BaseForm):
    name = forms.CharField(label="Nom du groupe", max_length=200)
    run_by = forms.ChoiceField(label="Porté par", choices=SupportGroup.RunBy.choices, widget=InlineRadioSelect,
                               initial=SupportGroup.RunBy.ASSOCIATION)
    institution = forms.ModelChoiceField(label="Association", empty_label="— choisir —", queryset=Institution.objects,
                                         required=False, help_text="Pour un groupe porté par une association.")
    facilitator = forms.ModelChoiceField(
        label="Personne qui anime le groupe", empty_label="— personne pour l'instant —",
        queryset=Membership.objects.none(), required=False,
        help_text="Un membre de la cellule qui appartient à l'association (ou à la préfecture) : cette personne "
                  "voit le groupe et enregistre elle-même ses séances.")

    def __init__(self, *args, cell, **kwargs):
        """The associations of the cellule's département (``Institution.objects.partners_in``), and who may
        facilitate a group: the cellule's members of an association, its people at the préfecture."""
        super().__init__(*args, **kwargs)
        associations = Institution.objects.partners_in(cell.departement_id).filter(
            category=Institution.Category.ASSOCIATION)
        self.fields["institution"].queryset = associations
        people = Membership.objects.active().filter(cell=cell, user__is_active=True)
        self.fields["facilitator"].queryset = (
            people.filter(institution__in=associations) | Membership.objects.at_prefecture(cell)
        ).select_related("user", "institution").order_by("institution__name", "user__last_name", "user__first_name")
        self.fields["facilitator"].label_from_instance = lambda m: f"{m.user.get_full_name()} — {m.institution}"


class SessionForm(BaseForm):
    on = forms.DateField(label="Date de la séance", widget=DATE)
    families = CasesField(label="Familles participantes", queryset=Case.objects.none(), required=False,
                          widget=forms.CheckboxSelectMultiple)
    other_parents = forms.IntegerField(
        label="Autres parents présents", initial=0, min_value=0, max_value=MAX_OTHER_PARENTS,
        error_messages={"min_value": f"Indiquez un nombre de parents de 0 à {MAX_OTHER_PARENTS}.",
                        "max_value": f"Indiquez un nombre de parents de 0 à {MAX_OTHER_PARENTS}.",
                        "invalid": "Indiquez un nombre entier de parents.",
                        "required": "Indiquez le nombre d'autres parents présents (0 s'il n'y en avait pas)."},
        help_text="Parents venus sans que la cellule suive leur enfant : leur nombre seulement, sans nom.")

    def __init__(self, *args, group: SupportGroup, user: User, **kwargs):
        """The families of the cellule's cases under way (a closed or transferred case's no longer) that the
        user may see: all of them for a coordinator, those their association takes into care for a
        facilitator."""
        super().__init__(*args, **kwargs)
        self.fields["on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["families"].queryset = (Case.objects.open().visible_to(user)
                                            .filter(departement_id=group.cell.departement_id)
                                            .select_related("person").order_by("person__last_name", "reference"))
        self.fields["families"].label_from_instance = family_label


def family_label(case: Case) -> str:
    """A family as the coordinators recognise it, told apart from a namesake by the young person's first
    name and commune, and by the case's reference (two brothers followed)."""
    person = case.person
    return f"Famille {person.last_name} ({person.first_name}, {person.commune}) — signalement {case.reference}"


@with_fields(model_fields(Exchange, ["on", "subject", "summary"]))
class ExchangeForm(BaseForm):
    """An exchange with a local prevention body: factual, and naming no young person."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate
        self.fields["summary"].widget.attrs.update(rows=4)
        self.fields["summary"].help_text = "Ce qui a été dit ou décidé, sans nommer de jeune ni de famille."
