"""Claiming a task and completing it with its transition, the way a plain viewflow project does."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS


class NoteForm(forms.Form):
    text = forms.CharField()
    referent = forms.ModelChoiceField(queryset=get_user_model().objects.all(), required=False)


@require_POST
def claim(request, pk: int):
    task = get_object_or_404(Task, pk=pk, status=STATUS.NEW)
    with transaction.atomic(), task.activation() as activation:
        activation.assign(request.user)
    messages.success(request, "Tâche prise.")
    return redirect("/")


@require_POST
def complete(request, pk: int, transition: str):
    from tickets.models import Note, Ticket

    task = get_object_or_404(Task, pk=pk, owner=request.user)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    with transaction.atomic(), task.activation() as activation:
        ticket = Ticket.objects.select_for_update().get(pk=activation.process.ticket_id)
        getattr(ticket, transition)()
        if form.cleaned_data["referent"]:
            ticket.referent = form.cleaned_data["referent"]
        ticket.save()
        Note.objects.create(ticket=ticket, by=request.user, text=form.cleaned_data["text"])
        activation.start(request)
        activation.execute()
    messages.success(request, "C'est enregistré.")
    return redirect("/")
