"""The base of every form: django-dsfr's, marking optional fields as the État design system asks."""

from django import forms
from dsfr.forms import DsfrBaseForm


class BaseForm(DsfrBaseForm):
    """DSFR now marks the optional fields rather than the required ones; django-dsfr's next major
    version will do so by default and warns until then. We take the recommended behaviour now."""

    def get_context(self) -> dict:
        context = forms.Form.get_context(self)  # skips DsfrBaseForm's deprecation warning
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context
