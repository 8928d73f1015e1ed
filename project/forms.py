"""The base of every form (django-dsfr's, marking optional fields as the État design system asks) and the
helpers that build a form from a model's own fields (labels, choices, lengths).

The one module of ``project`` that the apps import, as their templates extend its base templates."""

from django import forms
from django.forms.models import fields_for_model
from dsfr.forms import DsfrBaseForm


class BaseForm(DsfrBaseForm):
    """DSFR now marks the optional fields rather than the required ones; django-dsfr's next major
    version will do so by default and warns until then. We take the recommended behaviour now.

    A browser counts a line break as one character against ``maxlength`` but sends it as two
    (CR LF): line breaks are read as one, so that a text the browser accepts is never refused for
    its length here."""

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and hasattr(data, "lists"):
            data = data.copy()
            for key, values in data.lists():
                data.setlist(key, [v.replace("\r\n", "\n") if isinstance(v, str) else v for v in values])
        super().__init__(data, *args, **kwargs)

    def get_context(self) -> dict:
        context = forms.Form.get_context(self)  # skips DsfrBaseForm's deprecation warning
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def model_fields(model, names: list[str], **overrides) -> dict:
    fields = fields_for_model(model, fields=names)
    for field in fields.values():
        if isinstance(field, forms.DateField):
            field.widget = DATE
    fields.update(overrides)
    return fields


def form_class(name: str, fields: dict, base=BaseForm) -> type[forms.Form]:
    return type(name, (base,), dict(fields))


ConfirmForm = form_class("ConfirmForm", {})
