"""Error reports to Sentry: off unless ``SENTRY_DSN`` is given, and then nothing
personal leaves the server.

The SDK is told to send no personal data, no request body and no local variables; ``scrub`` then
removes, from every event, whatever could still carry a name or a value: the query string, cookies
and headers of the request, the user but for their id, exception messages (a database error quotes
the row), log messages' arguments, breadcrumbs' texts and data, and any ``extra``. What remains says
where it failed: the exception's type and stack, the request's method, path and request id.
"""

from urllib.parse import urlsplit, urlunsplit

from project.logs import current_request

FRAME_VALUES = ("vars",)


def _frames(container: dict | None) -> list[dict]:
    return (container or {}).get("stacktrace", {}).get("frames", []) or []


def scrub(event: dict, hint: dict | None = None) -> dict:
    """``before_send``: the event without personal data (see the module's docstring)."""
    request = event.get("request") or {}
    if request:
        url = urlsplit(request.get("url", ""))
        event["request"] = {"method": request.get("method", ""), "url": urlunsplit(url._replace(query="", fragment=""))}
    user_id = (event.get("user") or {}).get("id")
    event["user"] = {"id": user_id} if user_id is not None else {}
    for section in ("exception", "threads"):
        for value in (event.get(section) or {}).get("values", []):
            value.pop("value", None)
            for frame in _frames(value):
                for name in FRAME_VALUES:
                    frame.pop(name, None)
    if "logentry" in event:
        event["logentry"] = {"message": (event["logentry"] or {}).get("message", "")}
    event.pop("message", None)
    event.pop("extra", None)
    for crumb in (event.get("breadcrumbs") or {}).get("values", []):
        crumb.pop("message", None)
        crumb.pop("data", None)
    served = current_request.get()
    if served is not None:  # the request being served: its method, path (no query string) and id
        event["request"] = {"method": served.method, "url": served.path}
        event.setdefault("tags", {})["request_id"] = served.request_id
    return event


def options(dsn: str, environment: str) -> dict:
    """The SDK's options: no personal data, no body, no local variables, no tracing; ``scrub`` last."""
    return {"dsn": dsn, "environment": environment, "send_default_pii": False, "include_local_variables": False,
            "max_request_body_size": "never", "before_send": scrub, "traces_sample_rate": None}


def start(dsn: str, environment: str) -> None:
    import sentry_sdk

    sentry_sdk.init(**options(dsn, environment))
