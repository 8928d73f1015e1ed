"""The coordinator's forms on the alerts: an examination, the cellule's floor."""

from django import forms

from ui.forms import BaseForm
from vigilance.actions import COMMENT_MAX


class ExamineForm(BaseForm):
    comment = forms.CharField(label="Ce que l'examen a montré", max_length=COMMENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="Par exemple : lectures justifiées par un remplacement, ou suite donnée.",
                              error_messages={"required": "Indiquez ce que l'examen a montré."})


class FloorForm(BaseForm):
    floor = forms.IntegerField(label="Seuil de la cellule (signalements par jour)", min_value=2, max_value=200,
                               help_text="Pas d'alerte en dessous, quel que soit l'historique du compte. De 2 à 200.",
                               error_messages={"required": "Indiquez un seuil de 2 à 200.",
                                               "invalid": "Le seuil est un nombre entier de 2 à 200.",
                                               "min_value": "Le seuil va de 2 à 200 signalements par jour.",
                                               "max_value": "Le seuil va de 2 à 200 signalements par jour."})
