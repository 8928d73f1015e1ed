"""Forms of the requests to the mobile team: the cellule's request and withdrawal, the team's answers."""

from django import forms
from django.contrib.auth.models import User
from django.db import models
from django.db.models import OuterRef, Subquery

from cases.forms import FilesField
from mobile_team.models import InterventionReport, MobileTeamRequest
from organisation.models import Membership
from ui.forms import BaseForm, model_fields, with_fields


@with_fields(model_fields(
    MobileTeamRequest, ["motive", "expected", "urgency", "preferred_dates", "preferred_place", "summary"]))
class _RequestFields(BaseForm):
    summary = forms.CharField(
        label="Situation, résumée pour l'équipe (factuelle)", max_length=1000, widget=forms.Textarea,
        help_text="L'équipe reçoit le prénom, l'âge et la commune du jeune, et les textes de cette demande : ni nom "
                  "de famille, ni adresse (un texte qui en contient est refusé), ni rien d'autre du dossier.")
    contact: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, required=False, label="Contact de l'équipe à la préfecture", empty_label=None,
        help_text="La personne que l'équipe appelle : vous, ou l'une des personnes de la préfecture qui siègent "
                  "à la cellule.")
    family_agrees = forms.BooleanField(required=False, label="La famille accepte d'être contactée par l'équipe mobile")
    family_contact = forms.CharField(
        required=False, max_length=300, label="Comment joindre la famille",
        help_text="Seulement si la famille l'accepte : téléphone, adresse électronique, moments où l'appeler.")


class MobileTeamRequestForm(_RequestFields):
    # The contact is chosen among the people of the préfecture in the case's cellule, each once, the
    # person asking first (« (vous) ») and chosen; none sent is the person asking too (the entry point's default).
    needs_case = needs_actor = True

    def __init__(self, *args, case, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        prefecture = Membership.objects.at_prefecture(case.departement.cell)
        self.fields["contact"].queryset = (
            User.objects.filter(memberships__in=prefecture).distinct()
            .annotate(function=Subquery(prefecture.filter(user=OuterRef("pk")).values("function")[:1]),
                      other=models.Case(models.When(pk=actor.pk, then=0), default=1))
            .order_by("other", "last_name", "first_name"))
        self.fields["contact"].label_from_instance = lambda user: (
            f"{user.get_full_name()}{' (vous)' if user.pk == actor.pk else ''} — {user.function}")
        self.fields["contact"].initial = actor.pk


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

    @classmethod
    def of(cls, request: MobileTeamRequest, *args, **kwargs) -> "MessageForm":
        """The form of one request's thread: a page may show several (the case's), each its own ids."""
        return cls(*args, auto_id=f"message-{request.pk}_%s", **kwargs)
