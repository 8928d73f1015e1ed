"""Passwords are stored with Argon2id at a bounded memory cost (organisation/passwords.py): 19 MiB,
3 passes, 1 lane, a salt of 128 bits at least; a hash made with other parameters still signs its owner
in and is re-hashed with these at that login. And gunicorn's configuration freezes each worker's
loaded objects out of the garbage collector's reach."""

import math
import subprocess
import sys
from pathlib import Path

import argon2
import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher, make_password
from django.test import override_settings
from django.urls import reverse

from project import settings as project_settings
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
BOUNDED = {"type": argon2.Type.ID, "memory_cost": 19 * 1024, "time_cost": 3, "parallelism": 1}


def parameters(encoded: str) -> dict:
    algorithm, rest = encoded.split("$", 1)
    assert algorithm == "argon2"
    found = argon2.extract_parameters("$" + rest)
    return {name: getattr(found, name) for name in BOUNDED}


@override_settings(PASSWORD_HASHERS=project_settings.PASSWORD_HASHERS)
def test_a_new_password_is_hashed_with_argon2id_at_19_mib_3_passes_1_lane_and_a_long_salt():
    encoded = make_password("une-phrase-solide-42")
    assert parameters(encoded) == BOUNDED
    salt = identify_hasher(encoded).decode(encoded)["salt"]
    assert len(salt) * math.log2(62) >= 128  # ANSSI-PG-078 R28


@pytest.mark.parametrize("former", [Argon2PasswordHasher(), "pbkdf2_sha256"], ids=["argon2-100-mio", "pbkdf2"])
@override_settings(PASSWORD_HASHERS=project_settings.PASSWORD_HASHERS)
def test_a_former_hash_signs_in_and_is_rehashed_with_the_bounded_parameters(client, personas, former):
    member = personas.member_a
    member.password = make_password(PASSWORD, hasher=former)
    member.save(update_fields=["password"])
    before = member.password

    refused = client.post(reverse("login"), {"username": member.username, "password": "pas-le-bon-mot"})
    assert refused.status_code == 200
    member.refresh_from_db()
    assert member.password == before  # a wrong password changes nothing

    signed_in = client.post(reverse("login"), {"username": member.username, "password": PASSWORD})
    assert signed_in.status_code == 302
    member.refresh_from_db()
    assert parameters(member.password) == BOUNDED and member.check_password(PASSWORD)


def test_each_gunicorn_worker_freezes_what_it_loaded():
    """The configuration file loads as gunicorn loads it, and its hook, run in a process standing for
    a worker that has loaded the product, moves the loaded objects out of the collector's reach."""
    worker = (
        "import gc, runpy, django; django.setup(); "
        "config = runpy.run_path('gunicorn.conf.py'); "
        "assert gc.get_freeze_count() == 0; "
        "config['post_worker_init'](None); "
        "print(gc.get_freeze_count())"
    )
    done = subprocess.run([sys.executable, "-c", worker], cwd=ROOT, capture_output=True, text=True, check=False,  # noqa: S603
                          env={"PATH": "/usr/bin:/bin", "DEMO": "1", "DJANGO_SETTINGS_MODULE": "project.settings",
                               "ENV_FILE": "/dev/null"}, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout) > 10_000
    checked = subprocess.run([str(Path(sys.executable).parent / "gunicorn"), "--check-config", "project.wsgi"],  # noqa: S603
                             cwd=ROOT, capture_output=True, text=True, check=False, timeout=60,
                             env={"PATH": "/usr/bin:/bin", "DEMO": "1", "ENV_FILE": "/dev/null"})
    assert checked.returncode == 0, checked.stderr[-2000:]
