"""Settings of the product, driven only by environment variables (see README).

``DEMO=1`` gives defaults that run after a clone (embedded SQLite, console e-mail, debug pages).
``DEBUG`` is off unless asked for, in demo mode too (a wrong address gives the product's French
page, never Django's list of URL patterns); outside demo mode a missing ``SECRET_KEY`` stops start-up.
"""

import datetime
import os
import secrets
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from project import sentry
from project.env import env_bool, env_database, env_email, env_int, env_list, env_signing_key, read_env_file
from project.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
# The process's environment over the environment file's (`.env` beside manage.py, or ENV_FILE): a
# variable exported by hand wins, and `manage.py` runs outside demo mode with nothing exported.
ENV = {**read_env_file(Path(os.environ.get("ENV_FILE") or BASE_DIR / ".env"), "ENV_FILE" in os.environ),
       **os.environ}

DEMO = env_bool(ENV, "DEMO", False)
DEBUG = env_bool(ENV, "DEBUG", False)
# The demo is served over plain HTTP on this machine: no HTTPS redirect, HSTS or secure-only cookies.
LOCAL_HTTP = DEBUG or DEMO


def _demo_secret_key() -> str:
    """A random key kept in var/ so demo sessions survive a restart; never used outside demo mode."""
    path = VAR_DIR / "demo_secret_key"
    if not path.exists():
        VAR_DIR.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


if ENV.get("SECRET_KEY"):
    SECRET_KEY = ENV["SECRET_KEY"]
elif DEMO:
    SECRET_KEY = _demo_secret_key()
else:
    raise ImproperlyConfigured("SECRET_KEY: variable obligatoire hors mode démonstration (DEMO=1).")

ALLOWED_HOSTS = env_list(ENV, "ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEMO else [])
DATABASES = {"default": env_database(ENV, f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
# PostgreSQL in production: `migrate` runs with the DATABASE_URL of the tables' owner, then gives this
# role, the one the application connects as with its own DATABASE_URL, its rights (docs/security.md).
DATABASE_RUNTIME_ROLE = ENV.get("DATABASE_RUNTIME_ROLE", "")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

globals().update(env_email(ENV, DEMO))
DEFAULT_FROM_EMAIL = ENV.get("DEFAULT_FROM_EMAIL", "cellule-de-suivi@localhost")
# The product's address, for the links in e-mails (`make demo` gives the port it serves on).
SITE_URL = ENV.get("SITE_URL", "http://127.0.0.1:8000")

# Who publishes, hosts and answers for this instance, as its legal pages say (project/templates/legal/).
LEGAL_PUBLISHER = ENV.get("LEGAL_PUBLISHER", "Ministère de l'Intérieur, place Beauvau, 75800 Paris Cedex 08")
LEGAL_HOSTING = ENV.get("LEGAL_HOSTING", "Non renseigné pour cette instance : son exploitant le donne dans la "
                                         "variable d'environnement LEGAL_HOSTING (nom, adresse, téléphone).")
DPO_CONTACT = ENV.get("DPO_CONTACT", "Délégué à la protection des données du ministère de l'Intérieur, "
                                     "place Beauvau, 75800 Paris Cedex 08")
ACCESSIBILITY_CONTACT = ENV.get("ACCESSIBILITY_CONTACT", "l'administration technique de votre préfecture, "
                                                         "ou le coordonnateur de votre cellule")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "dsfr",
    "widget_tweaks",
    "simple_history",
    "viewflow",
    "viewflow.workflow",
    "axes",
    "csp",
    "django_otp",
    "django_tasks",
    "django_tasks_db",
    # The product's apps, from the leaf up (docs/architecture.md): each imports only those listed before it.
    "ui",  # the base form, its templates and script
    "outbox",
    "audit",
    "organisation",
    "charter",  # the confidentiality charter everyone who reads names accepts
    "workflows",
    "cases",
    "mobile_team",
    "cellule",
    "inspection",
    "vigilance",  # the alerts on unusual reading, beside the inspection (which it ignores)
    "intake",
    "reporting",
    "retention",
    "funding",  # the FIPD's actions beside the cellules' functioning (above reporting, which it reads)
    "project",  # base templates, home pages
    "demo",  # the demonstration and national data sets, by command (seed_demo, seed_national)
]

MIDDLEWARE = [
    "project.logs.RequestLogMiddleware",  # first: the request id and the request's log line cover the rest
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "project.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "project.middleware.SessionLimitsMiddleware",
    "project.middleware.SecondFactorMiddleware",
    "project.middleware.PolicyScopeMiddleware",  # the scope kept with the session, while the memberships stand
    "project.middleware.TerritoryTimeZoneMiddleware",  # the cellule's own clock, from here to the views
    "project.middleware.CharterMiddleware",  # after the second factor: the charter's page needs a verified session
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "project.middleware.ReadOnlyRolesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ui.middleware.RefusalMiddleware",  # an entry point's refusal a view let through: a French page
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: it answers the lockout
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"
ASGI_APPLICATION = "project.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # First, before the apps' folders: our login and password pages, not viewflow's or the admin's.
        "DIRS": [BASE_DIR / "project" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "project.context_processors.site",
            ],
            # French in every template: figures, long dates, plurals (ui.french).
            "builtins": ["ui.templatetags.french"],
        },
    },
]

# django-axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "organisation.policy.PolicyBackend"]
# Optional: signing in through ProConnect (organisation.proconnect), when its client is configured.
PROCONNECT = bool(ENV.get("PROCONNECT_CLIENT_ID"))
if PROCONNECT:
    for name in ("PROCONNECT_CLIENT_SECRET", "PROCONNECT_URL"):
        if not ENV.get(name):
            raise ImproperlyConfigured(f"{name} : obligatoire avec PROCONNECT_CLIENT_ID (connexion ProConnect).")
    _issuer = ENV["PROCONNECT_URL"].rstrip("/")  # the provider's base address, e.g. .../api/v2
    OIDC_RP_CLIENT_ID, OIDC_RP_CLIENT_SECRET = ENV["PROCONNECT_CLIENT_ID"], ENV["PROCONNECT_CLIENT_SECRET"]
    OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT = f"{_issuer}/authorize", f"{_issuer}/token"
    OIDC_OP_USER_ENDPOINT, OIDC_OP_JWKS_ENDPOINT = f"{_issuer}/userinfo", f"{_issuer}/jwks"
    OIDC_RP_SIGN_ALGO = "RS256"
    OIDC_RP_SCOPES = "openid email given_name usual_name"
    OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": "eidas1"}
    OIDC_CREATE_USER = False
    LOGIN_REDIRECT_URL_FAILURE = "/connexion/"
    AUTHENTICATION_BACKENDS.append("organisation.proconnect.ProConnectBackend")
    INSTALLED_APPS.append("mozilla_django_oidc")
# Argon2id for every new or changed password, its memory cost bounded for the web workers (19 MiB, 3
# passes, 1 lane: ANSSI-PG-078 R28-R29 and OWASP's password storage cheat sheet, organisation/passwords.py);
# older hashes (Django's default Argon2 parameters, PBKDF2) still verify and are upgraded at the next login.
PASSWORD_HASHERS = ["organisation.passwords.BoundedArgon2PasswordHasher",
                    "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
# A second factor for every account (TOTP, django-otp), enrolled at the first login; in demo mode the
# demo's own accounts skip it so that `make demo` still opens with a password. The authenticators'
# secrets are encrypted with SECOND_FACTOR_KEY (a Fernet key; derived from SECRET_KEY by default).
SECOND_FACTOR_REQUIRED = True  # never turned off outside the tests of other concerns
SECOND_FACTOR_KEY = ENV.get("SECOND_FACTOR_KEY", "")
# Lockout (django-axes, organisation.lockout): after AXES_FAILURE_LIMIT failures for an account, or
# LOGIN_ADDRESS_FAILURE_LIMIT from one address spread over several accounts (a préfecture's agents share
# one), the login is refused for AXES_COOLOFF_TIME, with the same page whether the account exists or not.
AXES_FAILURE_LIMIT = env_int(ENV, "LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int(ENV, "LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_HANDLER = "organisation.lockout.AddressThrottlingHandler"
# django-axes warns when no lockout parameter names the address: the handler above throttles it, with
# its own limit (tests/project/test_authentication.py).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
LOGIN_ADDRESS_FAILURE_LIMIT = env_int(ENV, "LOGIN_ADDRESS_FAILURE_LIMIT", 30)
if LOGIN_ADDRESS_FAILURE_LIMIT <= AXES_FAILURE_LIMIT:  # one person's typos would lock the address again
    raise ImproperlyConfigured("LOGIN_ADDRESS_FAILURE_LIMIT : un nombre supérieur à LOGIN_FAILURE_LIMIT est attendu.")
AXES_RESET_ON_SUCCESS = True
# The address the trail records (proxies counted, canonical): a crafted one counts as none.
AXES_CLIENT_IP_CALLABLE = "audit.middleware.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A session ends after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after the login,
# on the server (project.middleware.SessionLimitsMiddleware); signing out deletes it.
SESSION_IDLE_MINUTES = env_int(ENV, "SESSION_IDLE_MINUTES", 30)
SESSION_MAX_HOURS = env_int(ENV, "SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
# The database store, whose rows also say whose session it is: listed and ended per person (ASVS V7),
# with a copy of each session in a cache that the processes of the machine share (SESSION_CACHE_DIR), so
# that a request whose session did not change asks the database nothing for it. Ending a session deletes
# both (organisation.sessions). Without SESSION_CACHE_DIR (outside the demo, by default) the database is
# read at every request.
SESSION_ENGINE = "organisation.session_store"
SESSION_CACHE_ALIAS = "sessions"
SESSION_CACHE_DIR = ENV.get("SESSION_CACHE_DIR", str(VAR_DIR / "sessions") if DEMO else "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "sessions": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": SESSION_CACHE_DIR,
                 "OPTIONS": {"MAX_ENTRIES": 20000}} if SESSION_CACHE_DIR
    else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not LOCAL_HTTP
X_FRAME_OPTIONS = "DENY"

# HTTP hardening (checked by `manage.py check --deploy --fail-level WARNING`, tests/project/test_http.py).
# No script but the files served by the product (its own and the DSFR's), no inline script, style or
# event handler, no frame, forms to this site only.
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": [SELF], "script-src": [SELF], "style-src": [SELF], "img-src": [SELF, "data:"],
    "font-src": [SELF], "connect-src": [SELF], "object-src": [NONE], "base-uri": [SELF], "form-action": [SELF],
    "frame-ancestors": [NONE],
}}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_HSTS_SECONDS = 0 if LOCAL_HTTP else env_int(ENV, "SECURE_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = not LOCAL_HTTP
SECURE_SSL_REDIRECT = env_bool(ENV, "SECURE_SSL_REDIRECT", not LOCAL_HTTP)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # a probe on the host asks gunicorn directly; no personal data

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(ENV.get("STATIC_ROOT", BASE_DIR / "staticfiles"))  # filled by `manage.py collectstatic`
# Outside demo mode whitenoise serves them, compressed; the demo's `runserver --insecure` serves
# them itself, from the apps' folders. Not with hashed names: viewflow's style sheets name fonts it
# does not ship, which the manifest storage refuses.
if not LOCAL_HTTP:
    MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                      "whitenoise.middleware.WhiteNoiseMiddleware")
STATICFILES_FINDERS = ["project.static_files.AppsFinder"]  # the apps' folders, but viewflow's
STORAGES: dict[str, dict] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if LOCAL_HTTP
                    else "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Where the monthly reports go: the three addresses of the Minister's note of 19 February 2015 in the
# demo (whose console e-mail backend sends nothing); outside demo mode they must be given explicitly.
MINISTRY_ADDRESSES = ["prevention-radicalisation@interieur.gouv.fr", "cipd.siat@interieur.gouv.fr",
                      "cnapr-alerte@interieur.gouv.fr"]
REPORT_RECIPIENTS = env_list(ENV, "REPORT_RECIPIENTS", MINISTRY_ADDRESSES if DEMO else [])
# From this day of a month, the coordinators are reminded each day of last month's report not sent.
REPORT_REMINDER_DAY = env_int(ENV, "REPORT_REMINDER_DAY", 5)

# The subject of the workflows' processes and tasks (workflows knows no concern: it is told here).
WORKFLOWS_SUBJECT_MODEL = "cases.Case"
# Days given to do each task once it is opened.
TASK_DUE_DAYS = {"contact_family": 7, "name_referent": 7, "set_up_care": 15, "review": 30, "decide_closure": 7,
                 "read_team_answer": 3, "answer_interview": 8, "accept_transfer": 7, "rebase_measure": 15}
# The mobile team's service level: acceptance in working days (French public holidays excluded),
# first intervention in days, both counted from the request.
MOBILE_TEAM_ACCEPTANCE_WORKING_DAYS = env_int(ENV, "MOBILE_TEAM_ACCEPTANCE_WORKING_DAYS", 2)
MOBILE_TEAM_FIRST_INTERVENTION_DAYS = env_int(ENV, "MOBILE_TEAM_FIRST_INTERVENTION_DAYS", 15)

# Case notes' attachments: kept outside the web roots (never under STATIC_ROOT), served only by
# the view that checks the policy and records the read (cases.views.notes).
if ENV.get("ATTACHMENTS_ROOT"):
    ATTACHMENTS_ROOT = Path(ENV["ATTACHMENTS_ROOT"])
elif DEMO or ENV.get("ATTACHMENTS_S3_BUCKET"):
    ATTACHMENTS_ROOT = VAR_DIR / "attachments"
else:
    raise ImproperlyConfigured("ATTACHMENTS_ROOT: variable obligatoire hors mode démonstration (DEMO=1) : "
                               "le répertoire des pièces jointes, hors de la racine web.")
ATTACHMENT_MAX_BYTES = env_int(ENV, "ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)

# Several application servers share their attachments in an S3-compatible bucket (django-storages),
# private, read only through the same view; without a bucket, the directory ATTACHMENTS_ROOT.
if ENV.get("ATTACHMENTS_S3_BUCKET"):
    STORAGES["attachments"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": ENV["ATTACHMENTS_S3_BUCKET"], "endpoint_url": ENV.get("ATTACHMENTS_S3_ENDPOINT") or None,
        "region_name": ENV.get("ATTACHMENTS_S3_REGION") or None,
        "access_key": ENV.get("ATTACHMENTS_S3_ACCESS_KEY") or None,
        "secret_key": ENV.get("ATTACHMENTS_S3_SECRET_KEY") or None,
        "default_acl": "private", "querystring_auth": True, "file_overwrite": False}}

# E-mails go through a queue in the database (outbox, django-tasks' database backend), sent by
# `manage.py db_worker` (the cellule-worker service), retried OUTBOX_MAX_ATTEMPTS times, each time
# twice as late from OUTBOX_RETRY_SECONDS. In the demo and the tests, a command that queued a
# message also sends it once its transaction commits (OUTBOX_SEND_AT_COMMIT): no worker to run; a web
# request never does (its messages wait for the worker, which `make demo` runs) unless
# OUTBOX_SEND_IN_REQUEST (the tests' fixture, for those that run their commit's callbacks).
OUTBOX_SEND_AT_COMMIT = env_bool(ENV, "OUTBOX_SEND_AT_COMMIT", DEMO)
OUTBOX_SEND_IN_REQUEST = False
TASKS = {"default": {"BACKEND": "outbox.queue.AfterCommitBackend" if OUTBOX_SEND_AT_COMMIT
                     else "django_tasks_db.backend.DatabaseBackend"}}
OUTBOX_MAX_ATTEMPTS = env_int(ENV, "OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_RETRY_SECONDS = env_int(ENV, "OUTBOX_RETRY_SECONDS", 60)
# /health/ answers 503 when a message due has waited longer than this (the worker or SMTP is down).
HEALTH_QUEUE_SECONDS = env_int(ENV, "HEALTH_QUEUE_SECONDS", 900)

# The intake by machine (intake/): calls per minute of one service account, a token's lifetime in days,
# the largest spreadsheet a cellule may import.
INTAKE_API_CALLS_PER_MINUTE = env_int(ENV, "INTAKE_API_CALLS_PER_MINUTE", 60)
INTAKE_TOKEN_DAYS = env_int(ENV, "INTAKE_TOKEN_DAYS", 365)
INTAKE_IMPORT_MAX_BYTES = env_int(ENV, "INTAKE_IMPORT_MAX_BYTES", 2 * 1024 * 1024)

# How long the cellule keeps what it holds (retention/periods.py, shown on the personal-data notice):
# a closed case RETENTION_CLOSED_YEARS after its closure, or after the young person's majority if
# RETENTION_CLOSED_FROM=majority (whichever comes later, closure included); a case closed without
# ever going past "Reçu" RETENTION_NOT_RELEVANT_YEARS after its closure; the trail's events
# RETENTION_AUDIT_YEARS. `manage.py purge_expired` erases what is past these periods.
RETENTION_CLOSED_YEARS = env_int(ENV, "RETENTION_CLOSED_YEARS", 5)
RETENTION_CLOSED_FROM = ENV.get("RETENTION_CLOSED_FROM", "closure")
if RETENTION_CLOSED_FROM not in ("closure", "majority"):
    raise ImproperlyConfigured(f"RETENTION_CLOSED_FROM: « closure » ou « majority » attendu, reçu "
                               f"{RETENTION_CLOSED_FROM!r}.")
RETENTION_NOT_RELEVANT_YEARS = env_int(ENV, "RETENTION_NOT_RELEVANT_YEARS", 1)
RETENTION_AUDIT_YEARS = env_int(ENV, "RETENTION_AUDIT_YEARS", 6)

# Ed25519 key that signs the audit trail's checkpoints and export bundles (base64 of 32 bytes).
AUDIT_SIGNING_KEY = env_signing_key(ENV, "AUDIT_SIGNING_KEY", VAR_DIR / "demo_audit_signing_key" if DEMO else None)
# Where `manage.py audit_checkpoint` sends the signed chain head, to be kept outside the database.
AUDIT_CHECKPOINT_FILE = ENV.get("AUDIT_CHECKPOINT_FILE", str(VAR_DIR / "audit-checkpoints.jsonl") if DEMO else "")
AUDIT_CHECKPOINT_EMAILS = env_list(ENV, "AUDIT_CHECKPOINT_EMAILS", [])
# Where `manage.py archive_audit` writes the signed archives of the trail's events past RETENTION_AUDIT_YEARS
# (audit.archives), off the database: a directory to be kept (and copied) as long as the archives must be.
AUDIT_ARCHIVE_DIR = ENV.get("AUDIT_ARCHIVE_DIR", str(VAR_DIR / "audit-archives") if DEMO else "")
# The log's name in its checkpoints (C2SP tlog-checkpoint's origin), and the name of its signing key.
AUDIT_LOG_ORIGIN = ENV.get("AUDIT_LOG_ORIGIN", "cellule-de-suivi.interieur.gouv.fr/journal")
# The public keys (base64) of former signing keys: what they signed still verifies after a rotation.
AUDIT_TRUSTED_PUBLIC_KEYS = env_list(ENV, "AUDIT_TRUSTED_PUBLIC_KEYS", [])
# The witnesses each checkpoint is published to (C2SP tlog-witness, docs/temoin.md), comma-separated,
# each "name URL verifier-key"; a checkpoint is established once AUDIT_WITNESS_QUORUM of them cosigned it.
AUDIT_WITNESSES = env_list(ENV, "AUDIT_WITNESSES", [])
AUDIT_WITNESS_QUORUM = env_int(ENV, "AUDIT_WITNESS_QUORUM", min(len(AUDIT_WITNESSES), 1))
if not 0 <= AUDIT_WITNESS_QUORUM <= len(AUDIT_WITNESSES):
    raise ImproperlyConfigured(f"AUDIT_WITNESS_QUORUM : entre 0 et le nombre de témoins d'AUDIT_WITNESSES "
                               f"({len(AUDIT_WITNESSES)}) attendu, reçu {AUDIT_WITNESS_QUORUM}.")
AUDIT_WITNESS_TIMEOUT = env_int(ENV, "AUDIT_WITNESS_TIMEOUT_S", 10)
# The streaming standbys that may be promoted (their application_name, comma-separated): a checkpoint covers
# only what each has flushed, waiting at most AUDIT_STANDBY_WAIT_S for it (audit.replication).
AUDIT_STANDBYS = env_list(ENV, "AUDIT_STANDBYS", [])
AUDIT_STANDBY_WAIT = env_int(ENV, "AUDIT_STANDBY_WAIT_S", 10)
if AUDIT_STANDBYS and "postgresql" not in DATABASES["default"]["ENGINE"]:
    raise ImproperlyConfigured("AUDIT_STANDBYS : des répliques en flux supposent PostgreSQL (DATABASE_URL=postgresql://…).")

# Who the trail records as the actor's role and cellule: the access policy's answer.
AUDIT_ACTOR = "organisation.policy.audit_actor"
# Events are sealed after a commit at most once per this many milliseconds in each process, and by
# `manage.py seal_audit --every 1` run as a service (audit.sealer).
AUDIT_SEAL_INTERVAL = env_int(ENV, "AUDIT_SEAL_INTERVAL_MS", 1000) / 1000
# /health/ answers 503 when events have waited longer than this to be sealed (the sealer is down).
HEALTH_UNSEALED_SECONDS = env_int(ENV, "HEALTH_UNSEALED_SECONDS", 300)

# The audit trail's client address: the number of reverse proxies in front of the application whose
# X-Forwarded-For entries are trusted (0: the peer's address).
AUDIT_TRUSTED_PROXIES = env_int(ENV, "AUDIT_TRUSTED_PROXIES", 0)
if AUDIT_TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("AUDIT_TRUSTED_PROXIES : nombre de mandataires inverses attendu (0 ou plus).")
# Behind a reverse proxy that terminates TLS (AUDIT_TRUSTED_PROXIES > 0), the scheme it received,
# from the X-Forwarded-Proto header it sets (and must overwrite): see docs/security.md.
if AUDIT_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if "AUDIT_TRUST_X_FORWARDED_FOR" in ENV:
    raise ImproperlyConfigured("AUDIT_TRUST_X_FORWARDED_FOR n'existe plus : donnez AUDIT_TRUSTED_PROXIES, le nombre "
                               "de mandataires inverses de confiance devant l'application.")

# Logs on the standard error (journald under systemd): JSON lines outside demo mode, one per request
# with its id, user id, path without query string, status and duration, never a name (project/logs.py).
LOG_JSON = env_bool(ENV, "LOG_JSON", not DEMO)
LOG_LEVEL = ENV.get("LOG_LEVEL", "INFO")
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
    raise ImproperlyConfigured(f"LOG_LEVEL : DEBUG, INFO, WARNING ou ERROR attendu, reçu {LOG_LEVEL!r}.")
LOGGING = logging_config(LOG_JSON, LOG_LEVEL)
# Error reports to Sentry, off unless SENTRY_DSN is given; personal data scrubbed (project/sentry.py).
if ENV.get("SENTRY_DSN"):
    sentry.start(ENV["SENTRY_DSN"], ENV.get("SENTRY_ENVIRONMENT", "production"))
