"""Cross-cutting request rules that the access policy decides."""

from django.http import HttpRequest
from django.urls import reverse

import audit
from organisation import policy

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class ReadOnlyRolesMiddleware:
    """Inspectors only read: any unsafe method on any URL is refused (and recorded), except
    signing out."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in SAFE_METHODS or not request.user.is_authenticated:
            return None
        if request.path == reverse("logout") or not policy.read_only(request.user):
            return None
        # Raised outside any view, so recorded here: the audit middleware only sees views' exceptions.
        denied = policy.AccessDenied(request.user, "write")
        audit.record_denied(denied, path=request.path)
        raise denied
