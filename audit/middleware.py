"""Supplies the audit context of each request: the user, the client address and a request id."""

import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from audit import canonical
from audit.recorder import Context, RecordedDenial, acting, record_denied


class AuditedRequest(HttpRequest):
    """A request as ``AuditContextMiddleware`` hands it on: with its audit context (``request.audit``)."""

    audit: Context


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as received: the peer's, or behind ``AUDIT_TRUSTED_PROXIES`` reverse
    proxies, the address the nearest of them saw.

    Each proxy appends the address it received the request from to ``X-Forwarded-For``; whatever
    the client wrote there itself comes first. So with N trusted proxies the client is the N-th
    entry from the right, never the leftmost, which the client chooses. The recorder makes it
    canonical (``audit.canonical.address``).
    """
    hops = settings.AUDIT_TRUSTED_PROXIES
    if hops:
        header: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [part.strip() for part in header.split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    peer: str | None = request.META.get("REMOTE_ADDR")
    return peer or None


def client_address(request: HttpRequest) -> str | None:
    """The client's address as the trail stores it (canonical), or None when what was received is
    no address (a crafted ``X-Forwarded-For``): for those that store it too, such as the lockout."""
    return canonical.address(client_ip(request))[0]


class AuditContextMiddleware:
    """Every event recorded while a request is handled carries its user, IP and request id.

    A refusal of the access policy that escapes a view is recorded here as ``access.denied``,
    after the view's transaction has rolled back, so the refusal itself is never lost.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    # Typed with the ``audit`` it is given below (Django's handler passes a plain request, unchecked).
    def __call__(self, request: AuditedRequest) -> HttpResponseBase:
        # The id the request log gave it (project.logs, from the trusted proxy's X-Request-ID), if any.
        request_id = getattr(request, "request_id", None) or uuid.uuid4().hex
        user = getattr(request, "user", None)
        with acting(user, ip=client_ip(request), request_id=request_id) as ctx:
            request.audit = ctx
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response

    def process_exception(self, request: AuditedRequest, exception: Exception) -> None:
        if isinstance(exception, RecordedDenial):
            with acting(exception.user, ip=request.audit.ip, request_id=request.audit.request_id):
                record_denied(exception, path=request.path)
        return None
