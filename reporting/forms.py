"""The forms of the monthly report: its two texts, and the confirmation of its sending."""

from django import forms

from ui.forms import BaseForm


class TextsForm(BaseForm):
    results = forms.CharField(label="Résultats obtenus", max_length=5000, required=False, widget=forms.Textarea)
    difficulties = forms.CharField(label="Difficultés rencontrées", max_length=5000, required=False,
                                   widget=forms.Textarea)


class SendForm(BaseForm):
    """Sending is final (the report is frozen): the coordinator confirms it, and the server checks."""

    confirm_send = forms.BooleanField(
        label="Je confirme l'envoi au ministère du tableau et des textes ci-dessus : le compte rendu sera figé.",
        error_messages={"required": "Cochez la case pour confirmer l'envoi au ministère. Rien n'a été envoyé."})
