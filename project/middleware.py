"""Cross-cutting request rules: the limits of a session, and what the access policy decides."""

import functools
import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import urlencode

import audit
from charter.models import pending
from charter.rules import must_accept
from organisation import policy, session_scope
from organisation.session_store import SEEN, STARTED

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# What read-only roles post too: signing in and out, and ending their own sessions.
SIGNING_IN = ("logout", "second_factor_enrol", "second_factor_verify", "sessions", "session_extend")
# And "Vérifier maintenant", a check of the trail, recorded; and accepting the charter, recorded, before any page.
READ_ONLY_POSTS = ("inspection:integrity", "charter:page")
# When the session last found the current charter accepted (``CharterMiddleware``).
CHARTER_CHECKED = "charter_checked"
# The footer's pages, open to anyone at any time.
LEGAL = ("legal:sitemap", "legal:accessibility", "legal:notice", "legal:personal_data", "legal:cookies")


@functools.cache
def _paths(names: tuple[str, ...]) -> frozenset[str]:
    """The paths of named URLs, resolved once (the middlewares ask at every request)."""
    return frozenset(reverse(name) for name in names)


class ReadOnlyRolesMiddleware:
    """Inspectors only read: any unsafe method on any URL is refused (and recorded), except
    signing out and giving their second factor."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in SAFE_METHODS or not request.user.is_authenticated:
            return None
        if request.path in _paths(SIGNING_IN) or not policy.read_only(request.user):
            return None
        if request.method == "POST" and request.path in _paths(READ_ONLY_POSTS):
            return None
        # Raised outside any view, so recorded here: the audit middleware only sees views' exceptions.
        denied = policy.AccessDenied(request.user, "write")
        audit.record_denied(denied, path=request.path)
        raise denied


def _static(request: HttpRequest) -> bool:
    return request.path.startswith(f"/{settings.STATIC_URL.strip('/')}/")


class SessionLimitsMiddleware:
    """A session ends on the server after ``SESSION_IDLE_MINUTES`` without a request, and
    ``SESSION_MAX_HOURS`` after the login whatever the activity: the user is signed out (the
    session deleted) and sent to the login page. The time of the last request is written at most
    once a minute, not at every page."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.user.is_authenticated:
            now, session = time.time(), request.session
            started, seen = session.get(STARTED, now), session.get(SEEN, now)
            if now - seen > settings.SESSION_IDLE_MINUTES * 60 or now - started > settings.SESSION_MAX_HOURS * 3600:
                logout(request)  # the login page follows: LoginRequiredMiddleware sees no user any more
            elif now - seen > 60 or STARTED not in session:
                session[STARTED], session[SEEN] = started, now
        return self.get_response(request)


class NoStoreMiddleware:
    """No page of the product is kept by a browser or a proxy: every page behind the login shows
    data of a case, a family or a colleague, and the login page must not come back from a cache."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if not _static(request):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class SecondFactorMiddleware:
    """A signed-in user who has not given their second factor in this session sees no page but the
    second factor's own (enrolment the first time), signing out, the legal pages and the static files. In demo mode
    the demo's own accounts (``@demo.invalid``) are let through, so that ``make demo`` opens with
    a password; never outside demo mode."""

    OPEN = ("second_factor_enrol", "second_factor_verify", "logout", "login", "health", *LEGAL)

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        user = request.user
        if (settings.SECOND_FACTOR_REQUIRED and user.is_authenticated and not user.is_verified()  # type: ignore[attr-defined]  # django-otp's
                and not (settings.DEMO and user.email.endswith("@demo.invalid"))
                and not _static(request) and request.path not in _paths(self.OPEN)):
            return redirect_to_login(request.get_full_path(), reverse("second_factor_verify"))
        return self.get_response(request)


class PolicyScopeMiddleware:
    """The signed-in user's scope comes from their session when their memberships have not changed
    (``organisation.session_scope``): a page asks the database nothing for it."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.user.is_authenticated:
            session_scope.restore(request.user, request.session.session_key)
        return self.get_response(request)


class TerritoryTimeZoneMiddleware:
    """Who works in a cellule works on their territory's clock: in Nouméa, eleven hours ahead of Paris,
    the pages show Nouméa's times and "today" (a date given as today's is not in the future, a deadline
    falls on Nouméa's day). Everyone else (the national level, the inspection, the administration, the
    mobile team) is on the default zone, Paris. The intake API sets its account's zone itself
    (``intake.api``): the override ends with the request either way."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        zone = None
        if request.user.is_authenticated:
            primary = policy.scope(request.user).primary
            if primary is not None and primary.cell is not None:
                zone = primary.cell.departement.zone
        with timezone.override(zone):  # None: the default zone
            return self.get_response(request)


class CharterMiddleware:
    """Whoever reads names (``charter.rules.must_accept``: the cellule's members and partners, the mobile
    team, the inspection) and has not accepted the current version of the confidentiality charter sees
    no page but the charter's, and is sent back where they were going once they accept it. Open to
    them meanwhile: signing out, their sessions, the legal pages, the second factor.

    The database is asked at most once a minute per session (as ``SessionLimitsMiddleware`` writes its
    times): a page costs no query for it, and a new version is asked for within a minute of its publication."""

    OPEN = ("charter:page", "logout", "login", "sessions", "session_extend", "second_factor_enrol",
            "second_factor_verify", "health", *LEGAL)

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        user = request.user
        if (user.is_authenticated and not _static(request) and request.path not in _paths(self.OPEN)
                and must_accept(user) and not self._accepted(request)):
            return HttpResponseRedirect(f"{reverse('charter:page')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _accepted(request: HttpRequest) -> bool:
        now = time.time()
        if now - request.session.get(CHARTER_CHECKED, 0) < 60:
            return True
        if pending(request.user.pk) is not None:
            return False
        request.session[CHARTER_CHECKED] = now
        return True
