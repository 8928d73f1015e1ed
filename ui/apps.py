from django.apps import AppConfig


class UiConfig(AppConfig):
    """An app for its templates (``forms/``) and its script (``ui/forms.js``)."""

    name = "ui"
    verbose_name = "Interface commune"
