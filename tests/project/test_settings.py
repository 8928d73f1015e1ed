"""Configuration by environment variables, parsed strictly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from project.env import env_bool, env_database, env_email, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value,expected", [("1", True), ("yes", True), ("ON", True), ("0", False), ("off", False)])
def test_booleans(value, expected):
    assert env_bool({"DEBUG": value}, "DEBUG", not expected) is expected


def test_missing_values_take_their_default():
    assert env_bool({}, "DEBUG", True) is True
    assert env_int({}, "EMAIL_PORT", 25) == 25
    assert env_list({}, "ALLOWED_HOSTS", ["a"]) == ["a"]


@pytest.mark.parametrize(
    "reader,env",
    [
        (lambda env: env_bool(env, "DEBUG", False), {"DEBUG": "peut-être"}),
        (lambda env: env_int(env, "EMAIL_PORT", 25), {"EMAIL_PORT": "vingt-cinq"}),
        (lambda env: env_list(env, "ALLOWED_HOSTS", []), {"ALLOWED_HOSTS": "a.fr,,b.fr"}),
        (lambda env: env_database(env, "sqlite:///x"), {"DATABASE_URL": "mysql://root@localhost/db"}),
        (lambda env: env_database(env, "sqlite:///x"), {"DATABASE_URL": "pas une adresse"}),
        (lambda env: env_database(env, "sqlite:///x"), {"DATABASE_URL": "postgresql://localhost:port/base"}),
        (lambda env: env_email(env, False), {"EMAIL_URL": "pigeon://colombier"}),
        (lambda env: env_email(env, False), {"EMAIL_URL": "smtp://relais:abc"}),
        (lambda env: env_email(env, False), {"EMAIL_HOST": "relais", "EMAIL_PORT": "x"}),
        (lambda env: env_email(env, False), {"EMAIL_HOST": "relais", "EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}),
    ],
)
def test_malformed_values_name_their_variable(reader, env):
    with pytest.raises(ImproperlyConfigured) as error:
        reader(env)
    name = next(iter(env)) if len(env) == 1 else "EMAIL_"
    assert str(error.value).startswith(name)


def test_database_url_never_echoes_its_password():
    with pytest.raises(ImproperlyConfigured) as error:
        env_database({"DATABASE_URL": "mysql://app:secret-password@db/cellule"}, "sqlite:///x")
    assert "secret-password" not in str(error.value)


def test_database_urls():
    assert env_database({}, "sqlite:///var/db.sqlite3")["ENGINE"] == "django.db.backends.sqlite3"
    pg = env_database({"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/cellule"}, "sqlite:///x")
    assert (pg["ENGINE"], pg["NAME"], pg["PORT"]) == ("django.db.backends.postgresql", "cellule", 5432)


@pytest.mark.postgresql
@pytest.mark.django_db
def test_the_application_s_postgresql_sessions_plan_for_data_in_memory():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('random_page_cost')")
        assert cursor.fetchone() == ("off", "1.1")


@pytest.mark.postgresql
@pytest.mark.django_db
def test_the_application_s_statements_are_prepared_at_their_second_run():
    """Server-side binding and psycopg's prepared statements (``project.env.PREPARED_STATEMENTS``): a
    statement is prepared on its connection at its second run, and kept whatever its parameters."""
    from django.db import connection

    with connection.cursor() as cursor:
        def prepared() -> int:  # the name looked for is a parameter: this statement's text does not hold it
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE strpos(statement, %s) > 0",
                           ["prepared_at_second_run"])
            return cursor.fetchone()[0]

        counts = []
        for value in (1, 2, 3):
            cursor.execute("SELECT %s::integer AS prepared_at_second_run", [value])
            assert cursor.fetchone() == (value,)
            counts.append(prepared())
    assert counts == [0, 1, 1]


def test_email_url_and_variables():
    smtp = env_email({"EMAIL_URL": "smtp+tls://agent%40pref.fr:mdp@smtp.pref.fr:587"}, False)
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_HOST_USER"], smtp["EMAIL_USE_TLS"]) == (
        "smtp.pref.fr", 587, "agent@pref.fr", True
    )
    assert env_email({}, True)["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert env_email({"EMAIL_HOST": "relais", "EMAIL_PORT": "2525"}, False)["EMAIL_PORT"] == 2525


def start(env: dict) -> subprocess.CompletedProcess:
    """Start Django with only ``env`` (plus PATH) and run its checks."""
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env={"PATH": os.environ["PATH"], **env}, capture_output=True, text=True, timeout=60,
    )


def test_production_refuses_to_start_without_secret_key():
    result = start({})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_directory_for_attachments():
    result = start({"SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "ATTACHMENTS_ROOT" in result.stderr


def test_malformed_variable_stops_start_up_with_its_name():
    result = start({"DEMO": "1", "DEBUG": "évidemment"})
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_starts_with_its_secrets_and_debug_off():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(settings.DEBUG, settings.TIME_ZONE, settings.USE_TZ, settings.LANGUAGE_CODE)"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "project.settings", "SECRET_KEY": "x" * 50,
             "ALLOWED_HOSTS": "cellule.interieur.gouv.fr", "ATTACHMENTS_ROOT": "/srv/cellule/pieces-jointes"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "Europe/Paris", "True", "fr"]


@pytest.mark.parametrize("env,name", [
    ({"AUDIT_TRUST_X_FORWARDED_FOR": "1"}, "AUDIT_TRUSTED_PROXIES"),  # the old switch, gone: say what replaces it
    ({"AUDIT_TRUSTED_PROXIES": "-1"}, "AUDIT_TRUSTED_PROXIES"),
    ({"AUDIT_TRUSTED_PROXIES": "un"}, "AUDIT_TRUSTED_PROXIES"),
])
def test_the_proxies_of_the_audit_trail_are_a_number_of_hops(env, name):
    result = start({"DEMO": "1", **env})
    assert result.returncode != 0
    assert name in result.stderr


def test_demo_mode_keeps_debug_off_so_a_wrong_address_gives_the_french_page():
    script = "import django, os; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    env = {"PATH": os.environ["PATH"], "DEMO": "1", "DJANGO_SETTINGS_MODULE": "project.settings"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,  # noqa: S603
                            timeout=60)
    assert result.stdout.strip() == "False", result.stderr
