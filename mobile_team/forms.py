"""Forms of the requests to the mobile team: the cellule's request and withdrawal, the team's answers."""

from django import forms

from mobile_team.models import InterventionReport, MobileTeamRequest
from project.forms import form_class, model_fields

MobileTeamRequestForm = form_class("MobileTeamRequestForm", model_fields(
    MobileTeamRequest, ["motive", "expected", "urgency", "preferred_dates", "preferred_place", "summary"],
    summary=forms.CharField(
        label="Situation, résumée pour l'équipe (factuelle)", max_length=1000, widget=forms.Textarea,
        help_text="L'équipe reçoit le prénom, l'âge, la commune et ce résumé, rien d'autre du dossier : "
                  "ni nom de famille, ni proches, ni autre mesure."),
))
WithdrawForm = form_class("WithdrawForm", {
    "reason": forms.CharField(label="Motif du retrait", max_length=500, widget=forms.Textarea),
})
DeclineRequestForm = form_class("DeclineRequestForm", {
    "reason": forms.CharField(label="Pourquoi l'équipe ne peut pas intervenir", max_length=500,
                              widget=forms.Textarea),
})
ScheduleForm = form_class("ScheduleForm", {
    "scheduled_at": forms.DateTimeField(label="Date et heure de l'intervention",
                                        widget=forms.DateTimeInput(attrs={"type": "datetime-local"})),
    "place": forms.CharField(label="Lieu", max_length=200),
    "intervener": forms.CharField(label="Qui intervient", max_length=150),
})
ReportForm = form_class("ReportForm", model_fields(InterventionReport, ["on", "text"], text=forms.CharField(
    label="Compte rendu pour la cellule (factuel)", max_length=2000, widget=forms.Textarea)))
