"""The base of every form (django-dsfr's, marking optional fields as the État design system asks) and the
helpers that build a form from a model's own fields (labels, choices, lengths).

The one module of ``project`` that the apps import, as their templates extend its base templates."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.forms.models import fields_for_model
from dsfr.forms import DsfrBaseForm


class BaseForm(DsfrBaseForm):
    """DSFR now marks the optional fields rather than the required ones; django-dsfr's next major
    version will do so by default and warns until then. We take the recommended behaviour now.

    A browser counts a line break as one character against ``maxlength`` but sends it as two
    (CR LF): line breaks are read as one, so that a text the browser accepts is never refused for
    its length here.

    Rendered with an error summary on top (``forms/error_summary.html``): one link per field in
    error, and the page's focus on it (``project/static/project/forms.js``)."""

    template_name = "forms/form.html"

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


class DateInput(forms.DateInput):
    """The browser's date picker, in the ISO format it reads and sends."""

    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


# For ``forms.DateField(widget=DATE)``: a field copies the widget it is given. Never assign it to
# ``field.widget`` itself: django-dsfr writes a field's error attributes (aria-invalid,
# aria-describedby) into its widget, which every field sharing it would then carry.
DATE = DateInput()


def model_fields(model, names: list[str], **overrides) -> dict:
    fields = fields_for_model(model, fields=names)
    for field in fields.values():
        if isinstance(field, forms.DateField):
            field.widget = DateInput()  # one per field: see DATE
    fields.update(overrides)
    return fields


def form_class(name: str, fields: dict, base=BaseForm) -> type[forms.Form]:
    return type(name, (base,), dict(fields))


ConfirmForm = form_class("ConfirmForm", {})


class LoginForm(AuthenticationForm):
    """Django's login form, whose empty fields say what is missing in the words of the page.

    Django gives the username field the model's ``max_length`` for the browser only, without its
    validator: a longer one reached ``authenticate()``, and django-axes' record of the failure (a
    column of 255 characters) answered 500 on PostgreSQL. It is refused first now, before any
    password is checked; no account has such a name, so no attempt is lost to the lockout."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.error_messages["required"] = "Saisissez votre identifiant."
        username.validators.append(MaxLengthValidator(username.max_length, message=(
            f"Un identifiant compte au plus {username.max_length} caractères.")))
        self.fields["password"].error_messages["required"] = "Saisissez votre mot de passe."
