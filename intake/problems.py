"""Errors of the intake API as RFC 9457 problem details (``application/problem+json``), in French,
field by field: each error names its field by a JSON pointer into the request body."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import JsonResponse

CONTENT_TYPE = "application/problem+json"
TYPES = "urn:cellule-de-suivi:probleme:"  # the problem types' URIs: stable names, nothing to fetch

TITLES = {
    400: "Requête illisible",
    401: "Authentification requise",
    404: "Introuvable",
    405: "Méthode non permise",
    409: "Signalement déjà reçu",
    413: "Requête trop volumineuse",
    422: "Requête invalide",
    429: "Trop de requêtes",
}


class Problem(Exception):
    """An answer other than success, raised anywhere in the API and rendered by its handler."""

    def __init__(self, status: int, detail: str, *, kind: str = "", errors: list[dict] | None = None,
                 headers: dict | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.kind = status, detail, kind
        self.errors, self.headers = errors or [], headers or {}

    def response(self) -> JsonResponse:
        body = {"type": f"{TYPES}{self.kind}" if self.kind else "about:blank",
                "title": TITLES.get(self.status, "Erreur"), "status": self.status, "detail": self.detail}
        if self.errors:
            body["errors"] = self.errors
        response = JsonResponse(body, status=self.status, content_type=CONTENT_TYPE,
                                json_dumps_params={"ensure_ascii": False})
        for name, value in self.headers.items():
            response[name] = value
        return response


def pointer(*parts) -> str:
    """A JSON pointer (RFC 6901) into the request body."""
    escaped = [str(part).replace("~", "~0").replace("/", "~1") for part in parts]
    return "#/" + "/".join(escaped)


# Pydantic's error types, in French. Its English messages never reach the source.
MESSAGES = {
    "missing": "Ce champ est obligatoire.",
    "extra_forbidden": "Champ inconnu : retirez-le.",
    "string_type": "Un texte est attendu.",
    "string_too_short": "Ce champ ne peut pas être vide.",
    "string_too_long": "Au plus {max_length} caractères.",
    "string_pattern_mismatch": "Caractères non permis (caractère nul ou de contrôle).",
    "date_type": "Une date est attendue, au format AAAA-MM-JJ.",
    "date_parsing": "Date invalide : format attendu AAAA-MM-JJ.",
    "date_from_datetime_parsing": "Date invalide : format attendu AAAA-MM-JJ.",
    "date_from_datetime_inexact": "Une date sans heure est attendue (AAAA-MM-JJ).",
    "enum": "Valeur inconnue ; valeurs permises : {expected}.",
    "literal_error": "Valeur inconnue ; valeurs permises : {expected}.",
    "bool_type": "Un booléen est attendu (true ou false).",
    "bool_parsing": "Un booléen est attendu (true ou false).",
    "list_type": "Une liste est attendue.",
    "too_long": "Au plus {max_length} éléments.",
    "model_type": "Un objet JSON est attendu.",
    "model_attributes_type": "Un objet JSON est attendu.",
    "dict_type": "Un objet JSON est attendu.",
    "json_invalid": "JSON invalide.",
}


def from_pydantic(errors: list[dict]) -> Problem:
    """The request's shape is wrong: each error at its place in the body (or header)."""
    described = []
    for error in errors:
        location = list(error.get("loc", ()))
        if location[:1] == ["body"]:
            location = location[2:]  # ("body", "<parameter>", field...): the field's path in the body
        elif location[:1] == ["header"]:
            location = ["en-tête", *location[1:]]
        message = MESSAGES.get(error.get("type", ""), "Valeur invalide.")
        context = {key: (str(value).replace("'", "").replace(" or ", " ou ") if key == "expected" else value)
                   for key, value in (error.get("ctx") or {}).items()}
        try:
            message = message.format(**context)
        except (KeyError, IndexError):
            message = "Valeur invalide."
        described.append({"pointer": pointer(*location), "detail": message})
    return Problem(422, "La requête ne respecte pas le schéma : voir chaque champ.", kind="validation",
                   errors=described)


def from_validation_error(error: ValidationError, places: dict[str, tuple]) -> Problem:
    """The entry point refused the signalement (the intake form's own rules): ``places`` puts each
    model field at its path in the body."""
    described = []
    for field, messages in error.message_dict.items() if hasattr(error, "error_dict") else \
            [(NON_FIELD_ERRORS, error.messages)]:
        place = () if field == NON_FIELD_ERRORS else places.get(field, (field,))
        described += [{"pointer": pointer(*place), "detail": message} for message in messages]
    return Problem(422, "Le signalement n'a pas été enregistré : voir chaque champ.", kind="validation",
                   errors=described)
