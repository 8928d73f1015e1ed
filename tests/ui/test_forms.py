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
from ui.forms import BaseForm, model_fields, submit, with_fields


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
