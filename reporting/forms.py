"""The form of the monthly report's page: its two texts, its categories of difficulties, and the confirmation of
its sending."""

from django import forms

from reporting.models import Difficulty
from ui.forms import BaseForm


class ReportForm(BaseForm):
    """One form for the page's buttons, so that one error summary on top of the page (the table is
    long, the buttons at its foot) tells what was refused and takes the focus. Sending is final (the
    report is frozen): the coordinator confirms it, and the server checks (``sending``)."""

    results = forms.CharField(label="Résultats obtenus", max_length=5000, required=False, widget=forms.Textarea)
    difficulties = forms.CharField(label="Difficultés rencontrées", max_length=5000, required=False,
                                   widget=forms.Textarea)
    categories = forms.MultipleChoiceField(
        label="Catégories de difficultés rencontrées", required=False, choices=Difficulty.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Cochez chaque catégorie que le texte évoque : le niveau national compte les comptes rendus qui la "
                  "citent.")
    confirm_send = forms.BooleanField(
        label="Je confirme l'envoi au ministère du tableau et des textes ci-dessus : le compte rendu sera figé",
        required=False,
        error_messages={"required": "Cochez la case pour confirmer l'envoi au ministère. Rien n'a été envoyé."})

    def __init__(self, *args, sending: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm_send"].required = sending
