"""An entry point's refusal that its view let through becomes a French page, never a server error.

Views hand their forms to the entry points through ``ui.forms.submit``, which puts a refusal on the form
or the page and keeps what was typed. A view that calls an entry point otherwise (a button: take a task,
mark everything read, approve) may leave a ``Refusal`` (not now, and why) or a ``ValidationError`` (the
data do not hold) unhandled: it is answered here with its message, the change undone with its
transaction, and logged so that the view can be given its own handling."""

import logging

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from ui.errors import Refusal

logger = logging.getLogger(__name__)


class RefusalMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception: Exception):
        if isinstance(exception, Refusal):
            said, status = [exception.message], 409
        elif isinstance(exception, ValidationError):
            said, status = exception.messages, 400
        else:
            return None
        logger.warning("Refus sans traitement par la vue %s : %s", request.path, " ".join(said))
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
            back = "/"
        return render(request, "ui/refused.html", {"said": said, "back": back}, status=status)
