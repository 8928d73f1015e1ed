"""Strict readers for the environment variables that configure the product.

Every helper raises ``ImproperlyConfigured`` naming the variable when its value is malformed,
so a typo stops start-up with a clear message instead of running with a silent default.
"""

import base64
import binascii
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}
# PostgreSQL's sessions send each statement's parameters apart from it (server-side binding, which
# Django's PostgreSQL backend offers with psycopg 3), so that psycopg prepares a statement at its second
# run on a connection (prepare_threshold; Django leaves it off by default, for poolers that cannot keep
# prepared statements): PostgreSQL then parses it once per connection, and after five runs plans it once
# (its generic plan, unless that costs more than the custom ones). A connection lasts a minute
# (CONN_MAX_AGE). docs/performance.md, "Statements prepared once", gives the measurements.
PREPARED_STATEMENTS = {"server_side_binding": True, "prepare_threshold": 1}


def env_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    if name not in env:
        return default
    value = env[name].strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}: valeur booléenne attendue (1/0, true/false, yes/no, on/off), reçu {env[name]!r}."
    )


def env_int(env: Mapping[str, str], name: str, default: int) -> int:
    if name not in env:
        return default
    try:
        return int(env[name])
    except ValueError:
        raise ImproperlyConfigured(f"{name}: nombre entier attendu, reçu {env[name]!r}.") from None


def env_list(env: Mapping[str, str], name: str, default: list[str]) -> list[str]:
    if name not in env:
        return default
    items = [item.strip() for item in env[name].split(",")]
    if not all(items):
        raise ImproperlyConfigured(f"{name}: liste de valeurs séparées par des virgules attendue, reçu {env[name]!r}.")
    return items


def env_database(env: Mapping[str, str], default: str) -> dict:
    url = env.get("DATABASE_URL", default)
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in {"sqlite", "postgres", "postgresql"}:
        raise ImproperlyConfigured(
            "DATABASE_URL: adresse sqlite:///chemin ou postgresql://utilisateur@hôte:port/base attendue "
            f"(schéma reçu : {scheme or 'aucun'!r})."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=0 if scheme == "sqlite" else 60)
    except ValueError:
        raise ImproperlyConfigured(
            "DATABASE_URL: adresse illisible (vérifier l'hôte, le port et le nom de la base)."
        ) from None
    if not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL: le nom de la base de données manque.")
    if scheme == "sqlite":
        # IMMEDIATE takes the write lock when a transaction starts, so concurrent writers wait for
        # each other instead of failing with "database is locked" when they upgrade a read lock.
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    else:
        # The planner settings of an application whose working set is in memory, for its sessions
        # only (docs/performance.md, "PostgreSQL settings", gives the measurements): no JIT
        # compilation of short queries (a misestimated plan paid 50 to 183 ms of it), and an index
        # probe priced as a cached page read, not a disk seek (at the default 4, the case list read
        # the whole country's young people to join 25 of them).
        config["OPTIONS"] = {"options": "-c jit=off -c random_page_cost=1.1", **PREPARED_STATEMENTS}
    return dict(config)


EMAIL_SCHEMES = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+ssl": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}
CONSOLE_EMAIL = {"EMAIL_BACKEND": EMAIL_SCHEMES["console"]}


def env_email(env: Mapping[str, str], demo: bool) -> dict:
    """E-mail settings from ``EMAIL_URL`` (``smtp+tls://user:password@host:587``) or ``EMAIL_*``."""
    if "EMAIL_URL" in env:
        return _email_from_url(env["EMAIL_URL"])
    if "EMAIL_HOST" not in env:
        return CONSOLE_EMAIL if demo else {"EMAIL_BACKEND": EMAIL_SCHEMES["smtp"]}
    config = {
        "EMAIL_BACKEND": EMAIL_SCHEMES["smtp"],
        "EMAIL_HOST": env["EMAIL_HOST"],
        "EMAIL_PORT": env_int(env, "EMAIL_PORT", 25),
        "EMAIL_HOST_USER": env.get("EMAIL_HOST_USER", ""),
        "EMAIL_HOST_PASSWORD": env.get("EMAIL_HOST_PASSWORD", ""),
        "EMAIL_USE_TLS": env_bool(env, "EMAIL_USE_TLS", False),
        "EMAIL_USE_SSL": env_bool(env, "EMAIL_USE_SSL", False),
    }
    if config["EMAIL_USE_TLS"] and config["EMAIL_USE_SSL"]:
        raise ImproperlyConfigured("EMAIL_USE_TLS et EMAIL_USE_SSL: choisir l'un ou l'autre, pas les deux.")
    return config


def _email_from_url(url: str) -> dict:
    parts = urlsplit(url)
    backend = EMAIL_SCHEMES.get(parts.scheme)
    if backend is None:
        raise ImproperlyConfigured(
            f"EMAIL_URL: schéma attendu parmi {', '.join(sorted(EMAIL_SCHEMES))}, reçu {parts.scheme or 'aucun'!r}."
        )
    if not parts.scheme.startswith("smtp"):
        return {"EMAIL_BACKEND": backend}
    try:
        port = parts.port or 25
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL: le port doit être un nombre entier.") from None
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL: le nom du serveur SMTP manque.")
    return {
        "EMAIL_BACKEND": backend,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": parts.scheme == "smtp+tls",
        "EMAIL_USE_SSL": parts.scheme == "smtp+ssl",
    }


def env_signing_key(env: Mapping[str, str], name: str, demo_file: Path | None) -> str:
    """A base64 Ed25519 private key (32 bytes); in demo mode one is generated into ``demo_file``."""
    if env.get(name):
        value = env[name].strip()
        try:
            raw = base64.b64decode(value, validate=True)
        except binascii.Error:
            raw = b""
        if len(raw) != 32:
            raise ImproperlyConfigured(f"{name}: clé Ed25519 attendue, 32 octets encodés en base64.")
        return value
    if demo_file is None:
        return ""
    if not demo_file.exists():
        from audit.signing import new_key_text

        demo_file.parent.mkdir(exist_ok=True)
        demo_file.write_text(new_key_text())
    return demo_file.read_text().strip()


ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def read_env_file(path: Path, required: bool) -> dict[str, str]:
    """The variables of an environment file (``.env``): ``NAME=value`` a line, blank lines and ``#``
    comments allowed, a value optionally within one pair of quotes (taken literally: no escape, no
    ``$`` expansion). That is the part of the format that systemd's ``EnvironmentFile=`` reads the
    same way, so one file serves the units and ``manage.py``; anything else stops start-up with the
    line's number (never its content: it may hold a password). A missing file is no error unless
    asked for by name (``ENV_FILE``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise ImproperlyConfigured(f"ENV_FILE: fichier introuvable ({path}).") from None
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise ImproperlyConfigured(f"ENV_FILE: fichier illisible ({path}) : {error.__class__.__name__}.") from None
    found = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, value = line.partition("=")
        name, value = name.strip(), value.strip()
        if not equals or not ENV_NAME.fullmatch(name):
            raise ImproperlyConfigured(f"ENV_FILE: {path}, ligne {number} : NOM=valeur attendu.")
        quoted = len(value) >= 2 and value[0] == value[-1] and value[0] in "'\""
        value = value[1:-1] if quoted else value
        if "\\" in value or (not quoted and value[:1] in ("'", '"')):
            raise ImproperlyConfigured(
                f"ENV_FILE: {path}, ligne {number} ({name}) : guillemets non refermés ou barre oblique inverse "
                "(lues autrement par systemd et par le shell).")
        found[name] = value
    return found
