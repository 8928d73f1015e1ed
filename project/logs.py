"""Structured logs: one JSON line per record, one line per request with its id.

Every record carries the request id and the user id of the request being served. The request's line
gives its method, path (never its query string: a search by name lives there), status and duration.
Nothing else about the request or the user is written: no names, no form values, no headers. The
formatter keeps an allowlist of fields, so the ``extra`` that Django and libraries attach to their
records (the request object itself, whose text shows the query string) never reaches the log, and
an exception is written as its type and stack, without its message, which may quote a value.
"""

import contextvars
import datetime
import json
import logging
import re
import time
import traceback
import uuid

from django.conf import settings
from django.utils.functional import empty

current_request = contextvars.ContextVar("current_request", default=None)
REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{8,32}")  # nginx's $request_id: 32 hex digits; fits the trail's column
REQUEST_FIELDS = ("method", "path", "status", "duration_ms")
logger = logging.getLogger("cellule.request")


def request_id_of(request) -> str:
    """The id the trusted reverse proxy gave the request (``X-Request-ID``, which it overwrites), if
    well-formed; otherwise a new one. Without a trusted proxy the client's header counts for nothing."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    if settings.AUDIT_TRUSTED_PROXIES and REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def user_id_of(request) -> int | None:
    """The signed-in user's id, once the authentication middleware has looked the user up (a record
    logged before that does not make it query the session)."""
    user = getattr(request, "user", None)
    user = user.__dict__.get("_wrapped", user) if user is not None else None
    return user.pk if user is not None and user is not empty and user.is_authenticated else None


class RequestContextFilter(logging.Filter):
    """Puts the current request's id and user id on every record, whoever logs it."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current_request.get()
        record.request_id = getattr(request, "request_id", "")
        record.user_id = user_id_of(request) if request is not None else None
        return True


class JsonFormatter(logging.Formatter):
    """A JSON object a line, from an allowlist of the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds")
        line = {"time": when,
                "level": record.levelname, "logger": record.name, "message": record.getMessage(),
                "request_id": getattr(record, "request_id", "") or None, "user_id": getattr(record, "user_id", None)}
        line |= {name: getattr(record, name) for name in REQUEST_FIELDS if hasattr(record, name)}
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__qualname__
            line["stack"] = "".join(traceback.format_tb(record.exc_info[2]))
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The same fields for a person reading a terminal (the demo)."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"{self.formatTime(record, '%H:%M:%S')} {record.levelname} {record.name} {record.getMessage()}"
        if getattr(record, "request_id", ""):
            text += f" [requête {record.__dict__['request_id']}, utilisateur {record.__dict__.get('user_id')}]"
        if record.exc_info and record.exc_info[0] is not None:
            text += f"\n{record.exc_info[0].__qualname__}\n" + "".join(traceback.format_tb(record.exc_info[2]))
        return text


class RequestLogMiddleware:
    """First of the middlewares: gives the request its id (``request.request_id``, which the audit
    trail records too, and the ``X-Request-ID`` response header) and logs one line when it is done."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.request_id = request_id_of(request)
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            logger.info("%s %s %s", request.method, request.path, response.status_code, extra={
                "method": request.method, "path": request.path, "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
            return response
        finally:
            current_request.reset(token)


def logging_config(json_lines: bool, level: str) -> dict:
    """The LOGGING setting: every record to the standard error, as JSON lines or as text."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": RequestContextFilter}},
        "formatters": {"json": {"()": JsonFormatter}, "text": {"()": TextFormatter}},
        "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request"],
                                 "formatter": "json" if json_lines else "text"}},
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {"cellule": {"level": level}, "django.server": {"level": "WARNING"}},
    }
