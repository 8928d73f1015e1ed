"""Supplies the audit context of each request: the user, the client address and a request id."""

import uuid

from django.conf import settings

from audit.recorder import RecordedDenial, acting, record_denied


def client_ip(request) -> str | None:
    if settings.AUDIT_TRUST_X_FORWARDED_FOR and request.META.get("HTTP_X_FORWARDED_FOR"):
        return request.META["HTTP_X_FORWARDED_FOR"].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Every event recorded while a request is handled carries its user, IP and request id.

    A refusal of the access policy that escapes a view is recorded here as ``access.denied``,
    after the view's transaction has rolled back, so the refusal itself is never lost.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        request_id = uuid.uuid4().hex
        user = getattr(request, "user", None)
        with acting(user, ip=client_ip(request), request_id=request_id) as ctx:
            request.audit = ctx
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, RecordedDenial):
            with acting(exception.user, ip=request.audit.ip, request_id=request.audit.request_id):
                record_denied(exception, path=request.path)
        return None
