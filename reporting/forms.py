"""The form of the monthly report's two texts."""

from django import forms

from project.forms import BaseForm


class TextsForm(BaseForm):
    results = forms.CharField(label="Résultats obtenus", max_length=5000, required=False, widget=forms.Textarea)
    difficulties = forms.CharField(label="Difficultés rencontrées", max_length=5000, required=False,
                                   widget=forms.Textarea)
