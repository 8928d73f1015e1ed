"""Forms of a family's interview requests, on the case page."""

from django import forms

from cellule.models import InterviewRequest
from project.forms import form_class, model_fields

InterviewRequestForm = form_class("InterviewRequestForm", model_fields(
    InterviewRequest, ["with_whom", "requested_by", "channel", "requested_on"]))
InterviewUpdateForm = form_class("InterviewUpdateForm", model_fields(
    InterviewRequest, ["status", "scheduled_at", "held_on", "outcome"],
    scheduled_at=forms.DateTimeField(label="Programmé le", required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))))
