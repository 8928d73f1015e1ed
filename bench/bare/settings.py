"""The bare stack: Django, viewflow's workflow, django-fsm-2 and simple-history, nothing of ours.

A minimal project for ``bench/transition.py``: its own throwaway PostgreSQL database
(``BARE_DATABASE_URL``), the session and authentication middleware a real project has, and one app.
Its connection has Django's default options unless ``BARE_DATABASE_OPTIONS`` gives others (JSON: the
product's, when ``bench/transition.py --bare-options`` asks for a bare stack connected as ours is).
"""

import json
import os

import dj_database_url

SECRET_KEY = "bench-only-not-a-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["localhost"]
USE_TZ = True
TIME_ZONE = "Europe/Paris"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "urls"
DATABASES = {"default": dj_database_url.parse(
    os.environ.get("BARE_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/cellule_bare"), conn_max_age=60)}
DATABASES["default"]["OPTIONS"] = json.loads(os.environ.get("BARE_DATABASE_OPTIONS", "{}"))
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "viewflow",
    "viewflow.workflow",
    "simple_history",
    "tickets",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True, "OPTIONS": {}}]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
