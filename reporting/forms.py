"""The form of the monthly report's page: its two texts, and the confirmation of its sending."""

from django import forms

from ui.forms import BaseForm


class ReportForm(BaseForm):
    """One form for the page's buttons, so that one error summary on top of the page (the table is
    long, the buttons at its foot) tells what was refused and takes the focus. Sending is final (the
    report is frozen): the coordinator confirms it, and the server checks (``sending``)."""

    results = forms.CharField(label="Résultats obtenus", max_length=5000, required=False, widget=forms.Textarea)
    difficulties = forms.CharField(label="Difficultés rencontrées", max_length=5000, required=False,
                                   widget=forms.Textarea)
    confirm_send = forms.BooleanField(
        label="Je confirme l'envoi au ministère du tableau et des textes ci-dessus : le compte rendu sera figé",
        required=False,
        error_messages={"required": "Cochez la case pour confirmer l'envoi au ministère. Rien n'a été envoyé."})

    def __init__(self, *args, sending: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm_send"].required = sending
