"""The intake API (django-ninja): sources send signalements and read their state.

``POST /api/v1/signalements`` registers one through the intake form's entry point;
``GET /api/v1/signalements/{source_reference}`` gives its state and dates, nothing of the care. A
bearer token authenticates a service account (``intake.tokens``), limited in calls per minute
(``intake.ratelimit``); every call is recorded in the trail under the account's name, and the calls
without a valid token are counted per minute and address (``audit.tallies``). Every error is
a problem detail in French (``intake.problems``); the schema is served at ``/api/v1/openapi.json``
and kept in ``docs/openapi.json``.
"""

import functools

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.urls import re_path
from django.utils import timezone
from django.views.decorators.http import require_safe
from ninja import Header, NinjaAPI, Path
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

import audit
from audit import tallies
from intake import ratelimit, tokens
from intake.actions import submissions
from intake.models import ServiceAccount
from intake.problems import TITLES, Problem, from_pydantic
from intake.schemas import REFERENCE, ProblemOut, SignalementIn, SignalementOut, StatusOut

MAX_BODY_BYTES = 64 * 1024  # a signalement with ten relatives takes a tenth of it
ANONYMOUS = "api (sans jeton valide)"


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str) -> ServiceAccount:
        parsed = tokens.parse(token.strip())
        account = None
        if parsed is not None:
            account = ServiceAccount.objects.select_related("departement__cell").filter(key_id=parsed[0]).first()
        if account is None or parsed is None or not tokens.matches(parsed[1], account.digest):
            raise _unauthorised("Jeton inconnu ou mal formé.")
        request.service_account = account  # the trail names it, even when it is refused below
        # Its signalements' dates are its territory's (``project.middleware.TerritoryTimeZoneMiddleware``).
        timezone.activate(account.departement.zone)
        if account.revoked_at is not None:
            raise _unauthorised("Ce jeton a été révoqué : demandez un nouveau compte de service.")
        if not account.usable:
            raise _unauthorised("Ce jeton a expiré : demandez un nouveau compte de service.")
        if seconds := ratelimit.wait(account):
            raise Problem(429, f"Trop d'appels pour ce compte : réessayez dans {seconds} secondes.",
                          kind="trop-de-requetes", headers={"Retry-After": str(seconds)})
        return account


def _unauthorised(detail: str) -> Problem:
    return Problem(401, detail, kind="authentification", headers={"WWW-Authenticate": 'Bearer realm="api"'})


DESCRIPTIONS = {**TITLES, 200: "L'état du signalement",
                201: "Signalement enregistré (ou, pour un nouvel envoi, la réponse au premier)"}
HEADERS = {
    "401": {"WWW-Authenticate": {"description": "Le schéma d'authentification attendu.", "schema": {"type": "string"}}},
    "429": {"Retry-After": {"description": "Secondes à attendre avant le prochain appel.",
                            "schema": {"type": "string", "pattern": "^[0-9]+$"}}},
}


class IntakeApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Errors are problem details (``application/problem+json``), with their headers."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    response["description"] = DESCRIPTIONS.get(int(status), response["description"])
                    if int(status) >= 400 and "application/json" in response.get("content", {}):
                        response["content"] = {"application/problem+json": response["content"]["application/json"]}
                    if str(status) in HEADERS:
                        response["headers"] = HEADERS[str(status)]
        return schema


api = IntakeApi(
    title="Cellule de suivi — réception des signalements", version="1", urls_namespace="intake_api",
    description="Les sources de confiance (CNAPR, état-major de sécurité) transmettent les signalements à la "
                "cellule de leur département et en suivent l'état. Jeton : `Authorization: Bearer …`.",
    auth=TokenAuth(), docs_url=None,
)
ERRORS = {status: ProblemOut for status in (400, 401, 413, 422, 429)}


@api.post("/signalements", response={201: SignalementOut, 409: ProblemOut, **ERRORS}, url_name="submit",
          summary="Transmettre un signalement")
def submit(request, payload: SignalementIn,
           idempotency_key: str = Header(None, alias="Idempotency-Key", min_length=1, max_length=128,
                                         pattern=r"^[\x21-\x7e]+$")):
    """Enregistre le signalement dans la cellule du département du compte (201). Un nouvel envoi du même
    signalement (même `Idempotency-Key`, ou même `source_reference`) renvoie la première réponse au lieu de
    créer un second signalement ; la même clé avec un autre contenu est refusée (422), la même référence
    avec un autre contenu aussi (409). La réponse redonne ce que la source a transmis : rien du dossier de la
    cellule, ni sa référence, ni si le jeune y était déjà suivi (la cellule fait ce rapprochement)."""
    with _as_account(request):
        status, body, submission = submissions.submit(request.auth, payload.model_dump(), idempotency_key or "",
                                                      absolute=request.build_absolute_uri)
    request.intake_reference = submission.case.reference if submission.case else ""  # the trail's, never the source's
    # Keys sorted: a replay (read back from a jsonb, which orders them its way) is the same bytes.
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False, "sort_keys": True})
    response["Location"] = body["url"]
    return response


@api.get("/signalements/{source_reference}", response={200: StatusOut, 404: ProblemOut, **ERRORS},
         url_name="status", summary="Lire l'état d'un signalement transmis")
def status(request, source_reference: str = Path(..., max_length=50, pattern=REFERENCE)):
    """L'état du signalement transmis : reçu par la cellule, ou son suivi clôturé, et ses dates ; rien du
    suivi. Un signalement d'une autre source ou d'un autre département répond 404, comme une référence
    inconnue."""
    submission = submissions.status_of(request.auth, source_reference)
    request.intake_reference = submission.case.reference if submission.case else ""  # the trail's, never the source's
    return submissions.state_of(submission)


def _as_account(request):
    ctx = request.audit
    return audit.acting(label=request.auth.name, ip=ctx.ip, request_id=ctx.request_id)


@api.exception_handler(Problem)
def _problem(request, exc: Problem):
    return exc.response()


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    return from_pydantic(exc.errors).response()


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if isinstance(exc, AuthenticationError):
        return _unauthorised("Authentification requise : en-tête « Authorization: Bearer <jeton> ».").response()
    if exc.status_code == 400:
        return Problem(400, "Le corps de la requête n'est pas un JSON lisible (UTF-8).", kind="json").response()
    return Problem(exc.status_code, str(exc)).response()


@api.exception_handler(Http404)
def _not_found(request, exc):
    return Problem(404, "Adresse inconnue de l'API.", kind="introuvable").response()


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return _too_large().response()


def _too_large() -> Problem:
    return Problem(413, f"Requête trop volumineuse : {MAX_BODY_BYTES // 1024} Kio au plus.", kind="taille")


def recorded(view):
    """Each call in the trail under its account, with its method, path and answer (or counted, with no
    valid token); the body's size is checked before it is read."""

    @functools.wraps(view)
    def call(request, *args, **kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = MAX_BODY_BYTES + 1
        try:
            response = _too_large().response() if length > MAX_BODY_BYTES else view(request, *args, **kwargs)
        except Http404:  # the API's root or an unknown address: no page there
            response = Problem(404, "Adresse inconnue de l'API.", kind="introuvable").response()
        if response.status_code == 405:
            allowed = response.get("Allow", "")
            response = Problem(405, f"Méthode {request.method} non permise ici.", headers={"Allow": allowed}).response()
        _record(request, response.status_code)
        return response

    call.login_required = False  # authenticated by its token, not by a session
    return call


def _record(request, status: int) -> None:
    account = getattr(request, "service_account", None)
    if account is None and status < 400:
        return  # the schema, fetched without a token: nothing personal, no account
    ctx = request.audit
    if account is None:  # no valid token: counted per minute and address, one event for each (audit.tallies)
        tallies.count("intake.api_refusals", ip=ctx.ip, label=ANONYMOUS)
        return
    details = {"méthode": request.method, "chemin": request.path, "statut": status}
    if reference := getattr(request, "intake_reference", None):
        details["signalement"] = reference
    with audit.acting(label=account.name, ip=ctx.ip, request_id=ctx.request_id):
        audit.record("intake.api_call", details=details, departement=account.departement.code)


def _unknown(request, *args, **kwargs):
    raise Http404


def urls():
    patterns, app_name, namespace = api.urls
    # Any other address under the API's: a problem detail too, not the product's HTML page.
    patterns.append(re_path(r"^.+$", _unknown, name="unknown"))
    for pattern in patterns:
        # The schema is read, never posted to (ninja's view answers any method).
        view = require_safe(pattern.callback) if pattern.name == "openapi-json" else pattern.callback
        pattern.callback = recorded(view)
    return patterns, app_name, namespace
