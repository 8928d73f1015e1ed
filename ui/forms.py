"""The base of every form (django-dsfr's, marking optional fields as the État design system asks), the
helpers that build a form from a model's own fields (labels, choices, lengths), and the one way a view
hands a form's data to an entry point (``submit``)."""

from collections.abc import Callable, Iterable
from typing import TypeVar, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import BLANK_CHOICE_DASH
from django.forms.models import fields_for_model
from django.utils.choices import BlankChoiceIterator
from django.utils.safestring import SafeString
from dsfr.forms import DsfrBaseForm, DsfrBoundField, DsfrDjangoTemplates

from ui import statements
from ui.errors import Refusal

F = TypeVar("F", bound=type[forms.Form])


# A select starts on this line, never on Django's "---------" (``BLANK_CHOICE_DASH``): no choice is
# recorded that nobody made, and the line says what to do.
CHOOSE = [("", "— choisir —")]


def name_empty_choices(fields: Iterable[forms.Field]) -> None:
    """The selects among ``fields`` start on « — choisir — » rather than Django's dashes."""
    for field in fields:
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == BLANK_CHOICE_DASH[0][1]:
                field.empty_label = CHOOSE[0][1]
        elif isinstance(field, forms.ChoiceField):
            choices = field.choices  # a model field's come with the dashes put before them on reading
            if isinstance(choices, BlankChoiceIterator) and choices.blank_choice == BLANK_CHOICE_DASH:
                field.choices = BlankChoiceIterator(choices.choices, CHOOSE)
            elif isinstance(choices, list) and choices and tuple(choices[0]) == BLANK_CHOICE_DASH[0]:
                field.choices = CHOOSE + choices[1:]


class BaseForm(DsfrBaseForm):
    """DSFR now marks the optional fields rather than the required ones; django-dsfr's next major
    version will do so by default and warns until then. We take the recommended behaviour now.

    A browser counts a line break as one character against ``maxlength`` but sends it as two
    (CR LF): line breaks are read as one, so that a text the browser accepts is never refused for
    its length here.

    Rendered with an error summary on top (``forms/error_summary.html``): one link per field in
    error, and the page's focus on it (``ui/static/ui/forms.js``). Its selects start on « — choisir — »
    (``CHOOSE``), as do those of ``model_fields``, which forms add after it is made."""

    template_name = "forms/form.html"
    # django-dsfr's renderer, one for the process: django-dsfr gives each form a renderer of its own,
    # whose template engine, made anew, read and compiled the form's and its widgets' templates again
    # on every form shown (a third of the CPU of the case page's and the audit search's forms).
    default_renderer = DsfrDjangoTemplates()

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and hasattr(data, "lists"):
            data = data.copy()
            for key, values in data.lists():
                data.setlist(key, [v.replace("\r\n", "\n") if isinstance(v, str) else v for v in values])
        super().__init__(data, *args, **kwargs)
        name_empty_choices(self.fields.values())

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


class RememberedField(DsfrBoundField):
    """A field shown the same way to everyone (a search form's), rendered whole (label, hint, widget, errors)
    once per worker for each state it is shown in: the form's class, the field's name, label, hint, whether
    it is required or disabled, its widget's kind and attributes (an error's among them), the value shown,
    the errors and the choices offered are the key, so a change of any is a new rendering, never a stale one.
    A form asks for it with ``bound_field_class = RememberedField``. The DSFR's templates render a field
    through four of them, and a select each of its options through one more: the audit search's six fields,
    126 options among them, took a quarter of its time."""

    rendered = statements.Kept(256)  # a few KB each, the select of the trail's event types the largest

    def as_field_group(self) -> SafeString:
        field, widget = self.field, self.field.widget
        key = ("field group", type(self.form), self.html_name, self.auto_id, str(self.label), str(self.help_text),
               field.required, field.disabled, type(widget), repr(sorted(widget.attrs.items())), repr(self.value()),
               tuple(map(str, self.errors)), repr(getattr(field, "choices", None)), id(self.form.renderer))
        return self.rendered.get(key, super().as_field_group)


def model_fields(model, names: list[str], **overrides) -> dict:
    fields = fields_for_model(model, fields=names)
    for field in fields.values():
        if isinstance(field, forms.DateField):
            field.widget = DateInput()  # one per field: see DATE
    fields.update(overrides)
    name_empty_choices(fields.values())
    return fields


def with_fields(fields: dict[str, forms.Field]) -> Callable[[F], F]:
    """Declare ``fields`` (a model's, from ``model_fields``) on the form class it decorates, as if they
    were written first in its body: the fields the class declares or inherits follow them, and one of
    the same name takes its place."""

    def declare(form: F) -> F:
        form.base_fields = form.declared_fields = {**fields, **form.declared_fields}
        return form

    return declare


class ConfirmForm(BaseForm):
    """An action that asks nothing but the click on its button."""


class LoginForm(AuthenticationForm):
    """Django's login form, whose messages are the page's own words: an empty field says what is missing,
    a refused login names the « identifiant » the page asks for, not Django's « nom d'utilisateur »
    with its hint on letter case (« différenciation des majuscules/minuscules »).

    Django gives the username field the model's ``max_length`` for the browser only, without its
    validator: a longer one reached ``authenticate()``, and django-axes' record of the failure (a
    column of 255 characters) answered 500 on PostgreSQL. It is refused first now, before any
    password is checked; no account has such a name, so no attempt is lost to the lockout."""

    error_messages = {
        "invalid_login": "Identifiant ou mot de passe incorrect. Vérifiez-les, majuscules et minuscules comprises.",
        "inactive": "Ce compte est désactivé. Adressez-vous à la coordination de votre cellule ou à l'administration "
                    "technique.",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        username = cast(forms.CharField, self.fields["username"])
        username.error_messages["required"] = "Saisissez votre identifiant."
        username.validators.append(MaxLengthValidator(username.max_length, message=(
            f"Un identifiant compte au plus {username.max_length} caractères.")))
        self.fields["password"].error_messages["required"] = "Saisissez votre mot de passe."


DONE = "Modification enregistrée."


def submit(request, form, title: str, call: Callable[[dict], object], *, done: str = "",
           refusal_on_form: bool = False, redirects: bool = False) -> bool:
    """Call an entry point with a posted, valid form's data; True when it was done, and the page says
    so: ``done`` (« Note enregistrée. »), else the neutral ``DONE``. ``title`` names the action the form
    submits (its button's words: « Ajouter une note »), which reads as an order, not as what was done.

    Its refusal becomes a message on the page (or the form's own error, ``refusal_on_form``, where the
    form stays on the page after it), and its field errors the form's; where the view redirects
    whatever the outcome (``redirects``: a button, no form shown again), every error is a message."""
    if request.method != "POST" or not form.is_valid():
        return False
    data = form.entry_point_arguments() if hasattr(form, "entry_point_arguments") else form.cleaned_data
    try:
        call(data)
    except Refusal as refusal:
        if refusal_on_form:
            form.add_error(None, refusal.message)
        else:
            messages.error(request, refusal.message)
        return False
    except ValidationError as error:
        if redirects:
            for message in error.messages:
                messages.error(request, message)
        else:
            add_errors(form, error)
        return False
    messages.success(request, done or DONE)
    return True


def add_errors(form, error: ValidationError) -> None:
    """Put the entry point's field errors on the form's fields when it has them, else on the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages_ in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages_)
