"""Forms of the requests to the mobile team: the cellule's request and withdrawal, the team's answers."""

from django import forms

from cases.forms import FilesField
from mobile_team.models import InterventionReport, MobileTeamRequest
from ui.forms import BaseForm, model_fields, with_fields


@with_fields(model_fields(
    MobileTeamRequest, ["motive", "expected", "urgency", "preferred_dates", "preferred_place", "summary"]))
class _RequestFields(BaseForm):
    summary = forms.CharField(
        label="Situation, résumée pour l'équipe (factuelle)", max_length=1000, widget=forms.Textarea,
        help_text="L'équipe reçoit le prénom, l'âge et la commune du jeune, et les textes de cette demande : ni nom "
                  "de famille, ni adresse (un texte qui en contient est refusé), ni rien d'autre du dossier.")
    contact: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, required=False, label="Contact de l'équipe à la préfecture", empty_label="— moi-même —")
    family_agrees = forms.BooleanField(required=False, label="La famille accepte d'être contactée par l'équipe mobile")
    family_contact = forms.CharField(
        required=False, max_length=300, label="Comment joindre la famille",
        help_text="Seulement si la famille l'accepte : téléphone, adresse électronique, moments où l'appeler.")


class MobileTeamRequestForm(_RequestFields):
    needs_case = True  # the contact is chosen among the people of the case's cellule

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = (
            case.departement.cell.memberships.active().filter(user__is_active=True)
            .select_related("user").order_by("user__last_name", "user__first_name"))
        self.fields["contact"].label_from_instance = lambda m: f"{m.user.get_full_name()} — {m.function}"

    def entry_point_arguments(self) -> dict:
        membership = self.cleaned_data["contact"]
        return {**self.cleaned_data, "contact": membership.user if membership else None}



class WithdrawForm(BaseForm):
    reason = forms.CharField(label="Motif du retrait", max_length=500, widget=forms.Textarea)


class DeclineRequestForm(BaseForm):
    reason = forms.CharField(label="Pourquoi l'équipe ne peut pas intervenir", max_length=500, widget=forms.Textarea)


class ScheduleForm(BaseForm):
    scheduled_at = forms.DateTimeField(label="Date et heure de l'intervention",
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label="Lieu", max_length=200)
    intervener = forms.CharField(label="Qui intervient", max_length=150)


@with_fields(model_fields(InterventionReport, ["on", "text"]))
class ReportForm(BaseForm):
    text = forms.CharField(label="Compte rendu pour la cellule (factuel)", max_length=2000, widget=forms.Textarea)


class MessageForm(BaseForm):
    text = forms.CharField(label="Message", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="Ni nom de famille ni adresse : l'équipe ne connaît que le prénom.")
    attachments = FilesField(required=False, label="Pièces jointes",
                             help_text="PDF, PNG, JPEG, ODT, ODS, DOCX ou XLSX ; cinq au plus.")
