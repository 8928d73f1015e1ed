"""The shared UI's helpers: ``submit`` hands a valid form's data to an entry point and shows what it
answers, a refusal or field errors, on the page; ``with_fields`` declares a model's fields on a form
class, in the order of a form written by hand."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from cases.models import FamilyContact
from organisation.errors import ActionRefused
from ui.errors import Refusal
from ui.forms import BaseForm, DateInput, RememberedField, model_fields, submit, with_fields


class NoteForm(BaseForm):
    text = forms.CharField(max_length=20)


def posted(data: dict):
    request = RequestFactory().post("/", data)
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def said(request) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in get_messages(request)]


def refuse(data):
    raise ActionRefused("Ce signalement est clos.")


def test_the_entry_points_refusal_is_the_one_refusal_the_ui_shows():
    assert issubclass(ActionRefused, Refusal) and ActionRefused("x").message == "x"


def test_a_done_action_says_so_and_a_refused_one_gives_its_reason_on_the_page_or_on_the_form():
    request = posted({"text": "bonjour"})
    assert submit(request, NoteForm(request.POST), "Note", lambda data: None)
    assert said(request) == [("success", "Modification enregistrée.")]  # never « Note : c'est enregistré. »
    request = posted({"text": "bonjour"})
    assert submit(request, NoteForm(request.POST), "Note", lambda data: None, done="Note ajoutée.")
    assert said(request) == [("success", "Note ajoutée.")]
    request = posted({"text": "bonjour"})
    assert not submit(request, NoteForm(request.POST), "Note", refuse)
    assert said(request) == [("error", "Ce signalement est clos.")]
    request = posted({"text": "bonjour"})
    form = NoteForm(request.POST)
    assert not submit(request, form, "Note", refuse, refusal_on_form=True)
    assert said(request) == [] and form.non_field_errors() == ["Ce signalement est clos."]


@pytest.mark.parametrize("error, on_field, on_form", [
    (ValidationError({"text": "Trop vague."}), ["Trop vague."], []),
    (ValidationError({"elsewhere": "Autre chose."}), [], ["Autre chose."]),  # no such field: on the form
    (ValidationError("Refusé."), [], ["Refusé."]),
])
def test_an_entry_points_field_errors_go_on_the_form_never_a_server_error(error, on_field, on_form):
    request = posted({"text": "bonjour"})
    form = NoteForm(request.POST)

    def call(data):
        raise error

    assert not submit(request, form, "Note", call)
    assert form.errors.get("text", []) == on_field and form.non_field_errors() == on_form and said(request) == []


def test_an_invalid_or_unposted_form_calls_nothing():
    called = []
    request = posted({"text": "x" * 21})
    assert not submit(request, NoteForm(request.POST), "Note", called.append)
    get = RequestFactory().get("/")
    assert not submit(get, NoteForm(), "Note", called.append) and called == []


def test_a_models_fields_come_first_and_a_field_of_the_same_name_takes_its_place():
    @with_fields(model_fields(FamilyContact, ["on", "channel", "note"]))
    class ContactForm(BaseForm):
        note = forms.CharField(label="Note brève", max_length=10)
        extra = forms.BooleanField(required=False)

    class Later(ContactForm):
        last = forms.CharField()

    assert list(ContactForm.base_fields) == ["on", "channel", "note", "extra"]
    assert ContactForm.base_fields["note"].label == "Note brève"
    assert ContactForm.base_fields["channel"].label == "Moyen"  # the model's verbose name
    assert list(Later.base_fields) == ["on", "channel", "note", "extra", "last"]
    assert list(ContactForm().fields) == ["on", "channel", "note", "extra"]


class Searched(BaseForm):
    """A search form of each kind of field, rendered the DSFR's way."""

    place = forms.ChoiceField(label="Lieu", required=False)
    text = forms.CharField(label="Texte", max_length=5, required=False, help_text="Cinq lettres au plus.")
    day = forms.DateField(label="Jour", required=False, widget=DateInput())

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [("", "Tous"), *places]

    def clean(self):
        data = super().clean()
        if data.get("text") == "jour" and data.get("day"):  # an error of the form's, not of the field's value
            self.add_error("day", "Pas de jour avec ce texte.")
        return data


class RememberedSearched(Searched):
    bound_field_class = RememberedField


@pytest.mark.parametrize("data", [None, {}, {"place": "93"}, {"place": "75"}, {"place": "99"}, {"text": "<b>é"},
                                  {"text": "trop long"}, {"day": "2026-02-30"}, {"day": "2026-02-03", "place": "93"},
                                  {"day": "2026-02-03", "text": "jour"}])
def test_a_remembered_field_renders_as_the_field_itself_in_every_state(data):
    """The same markup as the DSFR's own rendering, whatever was shown before: values, errors (an invalid
    choice, a text too long, a date that does not exist), another form's choices, escaped input."""
    places = [("93", "Seine-Saint-Denis"), ("75", "Paris")]
    for earlier in ({}, {"place": "93", "text": "trop long"}, {"day": "2026-02-30"}, {"day": "2026-02-03"}):
        RememberedSearched(earlier, places=places).render()
        RememberedSearched(data, places=places[:1]).render()  # another inspector's mandate, fewer choices
        remembered, plain = RememberedSearched(data, places=places), Searched(data, places=places)
        if data is not None:
            assert remembered.is_valid() == plain.is_valid()
        assert str(remembered.render()) == str(plain.render())
        assert "<b>" not in str(remembered.render())


def test_a_remembered_field_is_rendered_once_for_each_state():
    rendered = RememberedField.rendered
    rendered.entries.clear()
    RememberedSearched({"place": "93"}, places=[("93", "Seine-Saint-Denis")]).render()
    assert len(rendered.entries) == 3  # one per field
    RememberedSearched({"place": "93"}, places=[("93", "Seine-Saint-Denis")]).render()
    assert len(rendered.entries) == 3
    RememberedSearched({"place": "75"}, places=[("93", "Seine-Saint-Denis")]).render()  # an error now
    assert len(rendered.entries) == 4
