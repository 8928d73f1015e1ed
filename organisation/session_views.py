"""The open sessions of an account: one's own (linked from the header), a member's for the coordinator
of their cellule (from the composition page), anyone's for the technical administrator (from the
account's page of the administration); each can be ended, or all but the one in use."""

import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

import audit
from organisation import policy, sessions
from organisation.rules import OrganisationRight
from organisation.session_store import SEEN, STARTED, digest
from ui.forms import BaseForm
from ui.french import count

ALL_OTHERS = "toutes"


class EndForm(BaseForm):
    session = forms.ChoiceField(label="Session", error_messages={
        "required": "Choisissez la session à laquelle mettre fin.",
        "invalid_choice": "Cette session est déjà terminée : la liste ci-dessous est à jour."})

    def __init__(self, *args, digests: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [(ALL_OTHERS, "toutes les autres"), *((d, d) for d in digests)]


@require_POST
def extend(request):
    """« Prolonger la session » in the warning before the idle timeout (RGAA 13.1, ui/static/ui/session.js): the
    session counts from now, without leaving the page and what is typed on it. A session past its limits
    never reaches here: project.middleware.SessionLimitsMiddleware has signed it out, and the answer is
    the login page's redirection. Its limit since the login stays."""
    request.session[SEEN] = now = time.time()
    return JsonResponse(deadlines(request, now))


def deadlines(request, now: float) -> dict[str, int]:
    """When the session ends without a request (``idle``, seconds from now) and at the latest (``ends_in``)."""
    ends = request.session.get(STARTED, now) + settings.SESSION_MAX_HOURS * 3600
    return {"idle": settings.SESSION_IDLE_MINUTES * 60, "ends_in": max(0, int(ends - now))}


@require_http_methods(["GET", "HEAD", "POST"])
def mine(request):
    return _sessions_page(request, request.user)


@require_http_methods(["GET", "HEAD", "POST"])
def of_account(request, pk: int):
    person = policy.get_or_404(request.user, OrganisationRight.MANAGE_SESSIONS, get_user_model().objects.all(), pk=pk)
    return _sessions_page(request, person)


def _sessions_page(request, person):
    own = person.pk == request.user.pk
    listed = list(sessions.open_sessions(person))
    current = digest(request.session.session_key) if own and request.session.session_key else None
    form = EndForm(request.POST if request.method == "POST" else None,
                   digests=[s.digest for s in listed if s.digest != current])
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data["session"]
        ended = sessions.end_sessions(request.user, person, keep=request.session.session_key,
                                      session=None if chosen == ALL_OTHERS else chosen)
        messages.success(request, f"{count(ended, 'session fermée', 'sessions fermées')}."
                         if ended else "Aucune autre session n'était ouverte.")
        return redirect(request.path)
    if not own:  # a colleague's browsers, addresses and hours of work
        audit.record("user.sessions_view", obj=person, departement=policy.audit_actor(person)[1])
    return render(request, "organisation/sessions.html", {
        "person": person, "own": own, "sessions": listed, "current": current, "form": form,
        "idle_minutes": settings.SESSION_IDLE_MINUTES, "max_hours": settings.SESSION_MAX_HOURS},
        status=400 if form.is_bound else 200)
