"""The forms of legal holds and of the rectification of a person's data."""

from django import forms

from cases.forms import PersonForm, RelativeForm
from ui.forms import BaseForm


class HoldForm(BaseForm):
    reason = forms.CharField(
        label="Motif du gel de conservation", max_length=500, widget=forms.Textarea,
        help_text="Par exemple la réquisition ou le contentieux qui impose de conserver le dossier au-delà de sa "
                  "durée de conservation. Tant que le gel n'est pas levé, la purge ne l'efface pas.")


class LiftHoldForm(BaseForm):
    reason = forms.CharField(label="Motif de la levée du gel", max_length=500, widget=forms.Textarea,
                             help_text="Levé, le gel ne protège plus le dossier : la purge l'efface dès que sa "
                                       "durée de conservation est écoulée.")


def rectify_form(kind: str) -> type[forms.Form]:
    """The case's own forms of the young person and of a relative."""
    return PersonForm if kind == "jeune" else RelativeForm
